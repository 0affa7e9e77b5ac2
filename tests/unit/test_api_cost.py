"""The cost of an operation (app/api/cost.py): lists multiply, whatever way the query is written."""

from __future__ import annotations

from graphql import GraphQLList, GraphQLObjectType, get_named_type, get_nullable_type

from app.api.cost import LIST_SIZES, operation_cost, parse
from app.api.schema import build_schema
from graph.settings import Settings

SCHEMA = build_schema()._schema
DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
FAN_OUT = """{ clusters(first: 100) { nodes { id members(first: 100) { nodes { account { id
  linkedAccounts(first: 100, includeHubs: true, hubDegree: 5000) { strength account { id
    linkedAccounts(first: 100, includeHubs: true, hubDegree: 5000) { strength account { id } } } } } } } } } }"""


def cost(query: str, variables: dict[str, object] | None = None) -> int:
    return operation_cost(SCHEMA, parse(query), variables=variables or {}, page_cap=DEFAULTS.api_page_cap)


def test_every_list_of_objects_has_a_size() -> None:
    missing = []
    for type_ in SCHEMA.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__") or type_.name in (
                "Query", "Mutation"):
            continue
        for name, field in type_.fields.items():
            if isinstance(get_nullable_type(field.type), GraphQLList) and \
                    isinstance(get_named_type(field.type), GraphQLObjectType) and (type_.name, name) not in LIST_SIZES:
                missing.append(f"{type_.name}.{name}")
    assert missing == [], f"add these lists to LIST_SIZES: {missing}"


def test_the_review_fan_out_is_far_over_the_limit_and_ordinary_pages_are_not() -> None:
    assert cost(FAN_OUT) > 1_000 * DEFAULTS.api_max_cost
    assert cost('{ cluster(id: "c") { id size evidence { signal } members { nodes { account { id ips '
                "{ address } } } } } }") <= DEFAULTS.api_max_cost
    assert cost("{ clusters(first: 100) { nodes { members(first: 100) { nodes { account { id } } } } } }") \
        == 20_201 <= DEFAULTS.api_max_cost
    every_list = " ".join(f"{name} {{ value }}" for name in ("apiKeys", "clientFingerprints", "templates",
                                                              "capabilities", "models"))
    assert cost('{ cluster(id: "c") { members(first: 100) { nodes { account { paymentMethods { fingerprint } '
                f"ips {{ address }} {every_list} }} }} }} }} }}") == 35_202 <= DEFAULTS.api_max_cost
    assert cost("{ clusters { nodes { id score } totalCount } }") == 21


def test_pages_are_capped_before_they_multiply() -> None:
    assert cost("{ clusters(first: 100000) { nodes { id } } }") == cost("{ clusters(first: 100) { nodes { id } } }")
    assert cost("{ clusters(first: -5) { nodes { id } } }") == 1


def test_variables_fragments_and_aliases_count_the_same() -> None:
    plain = cost('{ cluster(id: "c") { members(first: 50) { nodes { account { linkedAccounts(first: 50) '
                 "{ strength } } } } } }")
    with_variables = cost("query($n: Int, $m: Int = 50) { cluster(id: \"c\") { members(first: $n) { nodes { "
                          "account { linkedAccounts(first: $m) { strength } } } } } }", {"n": 50})
    with_fragments = cost('query { cluster(id: "c") { ...M } } fragment M on Cluster { members(first: 50) { '
                          "nodes { ... on Member { account { ...L } } } } } fragment L on Account { "
                          "linkedAccounts(first: 50) { strength } }")
    assert plain == with_variables == with_fragments == 1 + 1 + 50 + 50 + 2500
    twice = cost('{ a: cluster(id: "c") { members(first: 50) { nodes { weight } } } '
                 'b: cluster(id: "d") { members(first: 50) { nodes { weight } } } }')
    assert twice == 2 * cost('{ cluster(id: "c") { members(first: 50) { nodes { weight } } } }')
