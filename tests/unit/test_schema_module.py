from __future__ import annotations

from graph.schema import LABELS_BY_NAME, NODE_LABELS, PROPERTY_INDEXES, REL_TYPES, REL_TYPES_BY_NAME, schema_statements


def test_every_label_has_one_uniqueness_constraint_statement() -> None:
    statements = schema_statements()
    for label in NODE_LABELS:
        expected = (f"CREATE CONSTRAINT {label.constraint_name} IF NOT EXISTS "
                    f"FOR (n:{label.name}) REQUIRE n.{label.key} IS UNIQUE")
        assert statements.count(expected) == 1
    assert len(statements) == len(NODE_LABELS) + len(PROPERTY_INDEXES)
    assert all(" IF NOT EXISTS " in statement for statement in statements)


def test_relationships_and_indexes_name_declared_labels() -> None:
    for rel in REL_TYPES:
        assert rel.start in LABELS_BY_NAME, rel
        assert rel.end in LABELS_BY_NAME, rel
    for index in PROPERTY_INDEXES:
        assert index.label in (REL_TYPES_BY_NAME if index.relationship else LABELS_BY_NAME), index
    names = [rel.name for rel in REL_TYPES]
    assert len(names) == len(set(names))


def test_required_model_labels_are_present() -> None:
    required = {"Account", "PaymentMethod", "IP", "ProxyNetwork", "ASN", "EmailDomain", "Org", "ApiKey",
                "ClientFingerprint", "PromptTemplate", "Capability", "Cluster"}
    assert required <= set(LABELS_BY_NAME)
