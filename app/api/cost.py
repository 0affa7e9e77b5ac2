"""What an operation may cost, computed before it runs; `QueryCostLimiter` refuses one above the limit.

Depth, alias and token limits bound a query's shape, not its fan-out: `clusters(first: 100) { members(first:
100) { … linkedAccounts(first: 100) … } }` is shallow and short, yet asks for millions of objects. The cost
of an operation is the number of objects it may return: every object field counts once per parent object,
and a list counts as many items as it may hold — its page size (`first`, capped at LINKAGE_API_PAGE_CAP;
`top`; `paths`) or the cap the server applies to that list (`LIST_SIZES`). Nested lists multiply. Scalars
are free. An operation costing more than LINKAGE_API_MAX_COST is refused with COST_LIMIT_EXCEEDED before
any resolver runs, so it sends no query to Neo4j.

    >>> from app.api.schema import build_schema
    >>> schema = build_schema()._schema
    >>> operation_cost(schema, parse("{ cluster(id: \\"c\\") { id members(first: 10) { nodes { weight } } } }"),
    ...                variables={}, page_cap=100)
    12
    >>> fan_out = "{ clusters(first: 100) { nodes { members(first: 100) { nodes { account { id } } } } } }"
    >>> operation_cost(schema, parse(fan_out), variables={}, page_cap=100)
    20201
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    parse,
)
from graphql.pyutils import Undefined
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from app.api.loaders import HISTORY_PER_CLUSTER, IDENTIFIERS_PER_KIND, MAX_ACCOUNT_CLUSTERS, NOTES_PER_CLUSTER
from app.api.resolvers.accounts import MAX_LINKS, MAX_SHARED
from app.api.resolvers.infrastructure import TOP_CLUSTERS
from graph.check.scoring import MAX_REASONS
from graph.errors import LimitExceededError

__all__ = ["LIST_SIZES", "QueryCostLimiter", "operation_cost", "parse"]

Args = Mapping[str, Any]
# A list's size from its own arguments, the arguments of the field that returned its parent, the page cap.
SizeRule = Callable[[Args, Args, int], int]
DEFAULT_PAGE = 20


def _page(value: Any, cap: int) -> int:
    """The page size `first` asks for, as the resolvers apply it (default 20, capped, never negative)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return min(DEFAULT_PAGE, cap)
    return max(0, min(value, cap))


def _count(value: Any, default: int, upper: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        return default
    return max(0, min(value, upper))


def _own_page(own: Args, parent: Args, cap: int) -> int:
    return _page(own.get("first", DEFAULT_PAGE), cap)


def _parent_page(own: Args, parent: Args, cap: int) -> int:
    return _page(parent.get("first", DEFAULT_PAGE), cap)


def _fixed(size: int) -> SizeRule:
    return lambda own, parent, cap: size


def _parent_top(own: Args, parent: Args, cap: int) -> int:
    return _count(parent.get("top", 10), 10, 50)


_IDENTIFIER_LISTS = ("paymentMethods", "ips", "apiKeys", "clientFingerprints", "templates", "capabilities",
                     "models")
_SHARED_LISTS = ("paymentMethods", "ips", "proxyNetworks", "clientFingerprints", "templates", "capabilities")

# Every list of objects in the schema, with the number of items it may hold (a unit test keeps this
# complete). Lists computed from one stored value (evidence, metrics) or small by nature get a fixed size.
LIST_SIZES: dict[tuple[str, str], SizeRule] = {
    ("ClusterConnection", "edges"): _parent_page,
    ("ClusterConnection", "nodes"): _parent_page,
    ("MemberConnection", "nodes"): _parent_page,
    ("AccountConnection", "nodes"): _parent_page,
    ("Account", "linkedAccounts"): _own_page,
    **{("Account", name): _fixed(IDENTIFIERS_PER_KIND) for name in _IDENTIFIER_LISTS},
    ("Account", "clusters"): _fixed(MAX_ACCOUNT_CLUSTERS),
    ("Cluster", "notes"): _fixed(NOTES_PER_CLUSTER),
    ("Cluster", "history"): lambda own, parent, cap: _count(own.get("first", 20), 20, HISTORY_PER_CLUSTER),
    ("DetectionRunConnection", "edges"): _parent_page,
    ("ClusterChangeConnection", "edges"): _parent_page,
    ("Cluster", "evidence"): _fixed(20),
    ("Cluster", "timeline"): _fixed(100),
    ("Evidence", "metrics"): _fixed(20),
    **{("SharedInfrastructure", name): _parent_top for name in _SHARED_LISTS},
    ("Infrastructure", "properties"): _fixed(20),
    ("Infrastructure", "clusters"): _fixed(TOP_CLUSTERS),
    ("LinkedAccount", "via"): _fixed(10),
    ("Linkage", "shared"): _fixed(MAX_SHARED),
    ("Linkage", "paths"): lambda own, parent, cap: _count(parent.get("paths", 3), 3, 5),
    ("EvidencePath", "steps"): _fixed(2 * MAX_LINKS + 1),
    ("CheckResult", "matchedClusters"): _fixed(MAX_REASONS),
    ("CheckResult", "reasons"): _fixed(MAX_REASONS),
}


class _Costing:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                 variables: Mapping[str, Any], page_cap: int) -> None:
        self.schema, self.page_cap = schema, page_cap
        self.fragments = {definition.name.value: definition for definition in document.definitions
                          if isinstance(definition, FragmentDefinitionNode)}
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)

    def fields(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) \
            -> Iterator[FieldNode]:
        """The fields of a selection set, fragments spread in (each fragment once per path)."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self.fields(fragment.selection_set, seen | {selection.name.value})

    def arguments(self, node: FieldNode, field_args: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {name: arg.default_value for name, arg in field_args.items()
                                  if arg.default_value is not Undefined}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, VariableNode):
                if value.name.value in self.variables:
                    values[argument.name.value] = self.variables[value.name.value]
            elif isinstance(value, IntValueNode):
                values[argument.name.value] = int(value.value)
        return values

    def cost(self, selection_set: SelectionSetNode | None, parent_type: GraphQLNamedType, multiplier: int,
             parent_args: Args) -> int:
        if not isinstance(parent_type, GraphQLObjectType):
            return 0
        total = 0
        for node in self.fields(selection_set):
            name = node.name.value
            definition = parent_type.fields.get(name)
            if definition is None or name.startswith("__"):
                continue  # unknown fields fail validation; introspection is not our data
            named = get_named_type(definition.type)
            if not isinstance(named, GraphQLObjectType):
                continue  # scalars and enums are free
            args = self.arguments(node, definition.args)
            is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
            rule = LIST_SIZES.get((parent_type.name, name))
            size = (rule(args, parent_args, self.page_cap) if rule else self.page_cap) if is_list else 1
            items = multiplier * size
            total += items + self.cost(node.selection_set, named, items, args)
        return total


def operation_cost(schema: GraphQLSchema, document: DocumentNode, *, variables: Mapping[str, Any] | None,
                   page_cap: int, operation_name: str | None = None) -> int:
    """The number of objects the operation may return (0 when the document names no such operation)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    costing = _Costing(schema, document, operation, variables or {}, page_cap)
    return costing.cost(operation.selection_set, root, 1, {})


class QueryCostLimiter(SchemaExtension):
    """Refuses, before execution, an operation whose cost is above `max_cost` (COST_LIMIT_EXCEEDED)."""

    def __init__(self, *, max_cost: int, page_cap: int) -> None:
        self.max_cost, self.page_cap = max_cost, page_cap

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            cost = operation_cost(context.schema._schema, document, variables=context.variables,
                                  page_cap=self.page_cap, operation_name=context.operation_name)
            if cost > self.max_cost:
                refusal = LimitExceededError(
                    f"this operation may return {cost} objects, more than the {self.max_cost} allowed; "
                    "ask for smaller pages or fewer nested lists")
                context.result = ExecutionResult(data=None, errors=[
                    GraphQLError(str(refusal), original_error=refusal)])
        yield
