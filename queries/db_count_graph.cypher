// name: db_count_graph
// description: Nodes per label and relationships per type, each from Neo4j's count store (fast at any size). Lists every label and type of graph/schema.py (tests/unit/test_queries.py checks).
// mode: read
RETURN {
  Account: COUNT { (:Account) },
  PaymentMethod: COUNT { (:PaymentMethod) },
  IP: COUNT { (:IP) },
  Network: COUNT { (:Network) },
  ProxyNetwork: COUNT { (:ProxyNetwork) },
  ASN: COUNT { (:ASN) },
  EmailDomain: COUNT { (:EmailDomain) },
  Org: COUNT { (:Org) },
  ApiKey: COUNT { (:ApiKey) },
  ClientFingerprint: COUNT { (:ClientFingerprint) },
  PromptTemplate: COUNT { (:PromptTemplate) },
  Capability: COUNT { (:Capability) },
  Model: COUNT { (:Model) },
  Cluster: COUNT { (:Cluster) },
  CaseNote: COUNT { (:CaseNote) },
  ApiCredential: COUNT { (:ApiCredential) },
  LoadBatch: COUNT { (:LoadBatch) },
  LoadedFile: COUNT { (:LoadedFile) },
  DetectionRun: COUNT { (:DetectionRun) },
  ClusterSnapshot: COUNT { (:ClusterSnapshot) },
  PendingCluster: COUNT { (:PendingCluster) }
} AS nodes, {
  PAID_WITH: COUNT { ()-[:PAID_WITH]->() },
  SIGNED_UP_FROM: COUNT { ()-[:SIGNED_UP_FROM]->() },
  USED_IP: COUNT { ()-[:USED_IP]->() },
  IN_NETWORK: COUNT { ()-[:IN_NETWORK]->() },
  OPERATED_BY: COUNT { ()-[:OPERATED_BY]->() },
  ANNOUNCED_BY: COUNT { ()-[:ANNOUNCED_BY]->() },
  HAS_EMAIL_DOMAIN: COUNT { ()-[:HAS_EMAIL_DOMAIN]->() },
  BELONGS_TO: COUNT { ()-[:BELONGS_TO]->() },
  USED_KEY: COUNT { ()-[:USED_KEY]->() },
  USED_CLIENT: COUNT { ()-[:USED_CLIENT]->() },
  SENT_TEMPLATE: COUNT { ()-[:SENT_TEMPLATE]->() },
  USED_CAPABILITY: COUNT { ()-[:USED_CAPABILITY]->() },
  USED_MODEL: COUNT { ()-[:USED_MODEL]->() },
  TARGETS: COUNT { ()-[:TARGETS]->() },
  MEMBER_OF: COUNT { ()-[:MEMBER_OF]->() },
  NOTE_ON: COUNT { ()-[:NOTE_ON]->() }
} AS relationships
