"""The graph's single source of node labels, relationship types, constraints and indexes.

Every label that is `MERGE`d has a uniqueness constraint on its key; `apply_schema` creates them all with
`IF NOT EXISTS`, so running it twice changes nothing. Queries name labels literally (Cypher cannot take a
label as a parameter); `tests/integration/test_schema.py` checks that the server's constraints match this
module and `tests/unit/test_queries.py` that every label and relationship type a query names is declared
here.

See docs/data-model.md for the model and why the request log is aggregated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString


@dataclass(frozen=True)
class NodeLabel:
    """A node label and the property that identifies a node of it."""

    name: LiteralString
    key: LiteralString
    description: str

    @property
    def constraint_name(self) -> str:
        return f"{self.name.lower()}_{self.key}_unique"


@dataclass(frozen=True)
class RelType:
    name: LiteralString
    start: LiteralString
    end: LiteralString
    description: str


@dataclass(frozen=True)
class PropertyIndex:
    """An index on a node label's property, or on a relationship type's (`relationship=True`)."""

    label: LiteralString
    prop: LiteralString
    relationship: bool = False

    @property
    def index_name(self) -> str:
        return f"{self.label.lower()}_{self.prop}_index"

    @property
    def pattern(self) -> LiteralString:
        """What the index covers, as `CREATE INDEX … FOR <pattern> ON (n.prop)` says it."""
        return "()-[n:" + self.label + "]-()" if self.relationship else "(n:" + self.label + ")"


ACCOUNT = NodeLabel("Account", "account_id", "A customer account of the API")
PAYMENT_METHOD = NodeLabel("PaymentMethod", "fingerprint", "A tokenized card/wallet fingerprint")
IP = NodeLabel("IP", "address", "An IP address seen at signup or in the request log")
NETWORK = NodeLabel("Network", "cidr", "A network from threat intelligence (ip_intel)")
PROXY_NETWORK = NodeLabel("ProxyNetwork", "name", "A proxy or relay service")
ASN = NodeLabel("ASN", "number", "An autonomous system")
EMAIL_DOMAIN = NodeLabel("EmailDomain", "domain", "The domain of an account's email address")
ORG = NodeLabel("Org", "org_id", "A customer organisation")
API_KEY = NodeLabel("ApiKey", "key_id", "An API key id from the request log")
CLIENT_FINGERPRINT = NodeLabel("ClientFingerprint", "fingerprint", "An API-client fingerprint")
PROMPT_TEMPLATE = NodeLabel("PromptTemplate", "template_id", "A structural fingerprint of prompts")
CAPABILITY = NodeLabel("Capability", "name", "The provider's label of a request's domain")
MODEL = NodeLabel("Model", "name", "A model served by the API")
CLUSTER = NodeLabel("Cluster", "cluster_id", "A group of accounts detection links together")
CASE_NOTE = NodeLabel("CaseNote", "note_id", "An analyst's note or case-status change on a cluster")
API_CREDENTIAL = NodeLabel("ApiCredential", "key_id", "An API key of linkage's own API (hash only)")
LOAD_BATCH = NodeLabel("LoadBatch", "batch_id", "Ledger: one applied loader batch (exactly-once)")
LOADED_FILE = NodeLabel("LoadedFile", "file_id", "Ledger: one fully loaded input file")
DETECTION_RUN = NodeLabel("DetectionRun", "run_id",
                          "One `linkage detect`: window, settings digest, data loaded since the last run, counts")
CLUSTER_SNAPSHOT = NodeLabel("ClusterSnapshot", "snapshot_id",
                             "A cluster as one detection run found it: size, score, verdict, change since the "
                             "run before")
PENDING_CLUSTER = NodeLabel("PendingCluster", "cluster_id",
                            "A cluster first found by a detection run that has not switched yet (it becomes a "
                            "Cluster in the switch)")

NODE_LABELS: tuple[NodeLabel, ...] = (
    ACCOUNT, PAYMENT_METHOD, IP, NETWORK, PROXY_NETWORK, ASN, EMAIL_DOMAIN, ORG, API_KEY,
    CLIENT_FINGERPRINT, PROMPT_TEMPLATE, CAPABILITY, MODEL, CLUSTER, CASE_NOTE, API_CREDENTIAL,
    LOAD_BATCH, LOADED_FILE, DETECTION_RUN, CLUSTER_SNAPSHOT, PENDING_CLUSTER,
)

REL_TYPES: tuple[RelType, ...] = (
    RelType("PAID_WITH", "Account", "PaymentMethod", "Account registered a payment method"),
    RelType("SIGNED_UP_FROM", "Account", "IP", "Account's signup IP"),
    RelType("USED_IP", "Account", "IP", "Requests from an IP: requests, first_seen, last_seen"),
    RelType("IN_NETWORK", "IP", "Network", "Longest-prefix match of an IP in ip_intel"),
    RelType("OPERATED_BY", "Network", "ProxyNetwork", "A network's exits belong to a proxy service"),
    RelType("ANNOUNCED_BY", "Network", "ASN", "The ASN that announces a network"),
    RelType("HAS_EMAIL_DOMAIN", "Account", "EmailDomain", "The domain of the account's email"),
    RelType("BELONGS_TO", "Account", "Org", "Account is part of a customer organisation"),
    RelType("USED_KEY", "Account", "ApiKey", "Requests with an API key: requests, first/last seen"),
    RelType("USED_CLIENT", "Account", "ClientFingerprint", "Requests from a client: counts, times"),
    RelType("SENT_TEMPLATE", "Account", "PromptTemplate", "Prompts of a template: counts, times"),
    RelType("USED_CAPABILITY", "Account", "Capability", "Requests per capability: counts, times"),
    RelType("USED_MODEL", "Account", "Model", "Requests per model: counts, times"),
    RelType("TARGETS", "PromptTemplate", "Capability", "Requests of a template per capability"),
    RelType("MEMBER_OF", "Account", "Cluster",
            "Account is a member of a detected cluster in run `run_id` (current when it equals the cluster's)"),
    RelType("NOTE_ON", "CaseNote", "Cluster", "A case note or status change about a cluster"),
)

# Lookups that are not keys but are filtered on.
PROPERTY_INDEXES: tuple[PropertyIndex, ...] = (
    PropertyIndex("Account", "created_at"),
    PropertyIndex("Account", "email_hash"),
    PropertyIndex("Cluster", "verdict"),
    PropertyIndex("Cluster", "score"),
    PropertyIndex("IP", "kind"),
    PropertyIndex("PromptTemplate", "band_keys"),
    PropertyIndex("DetectionRun", "status"),
    PropertyIndex("ClusterSnapshot", "run_id"),
    PropertyIndex("ClusterSnapshot", "cluster_id"),
    PropertyIndex("MEMBER_OF", "run_id", relationship=True),
)

LABELS_BY_NAME = {label.name: label for label in NODE_LABELS}
REL_TYPES_BY_NAME = {rel.name: rel for rel in REL_TYPES}


def schema_statements() -> list[LiteralString]:
    """The idempotent DDL statements that create every constraint and index."""
    statements: list[LiteralString] = []
    for label in NODE_LABELS:
        statements.append(
            "CREATE CONSTRAINT " + label.constraint_name + " IF NOT EXISTS "
            "FOR (n:" + label.name + ") REQUIRE n." + label.key + " IS UNIQUE"
        )
    for index in PROPERTY_INDEXES:
        statements.append(
            "CREATE INDEX " + index.index_name + " IF NOT EXISTS "
            "FOR " + index.pattern + " ON (n." + index.prop + ")"
        )
    return statements
