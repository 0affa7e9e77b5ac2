// name: detect_client_nodes
// description: Detection input, account to API-client fingerprint edges: every ClientFingerprint that has one, as parallel lists in one row (fingerprint, node id, degree for chunking).
// mode: read
MATCH (x:ClientFingerprint)
WHERE x.fingerprint IS NOT NULL
WITH x, COUNT { (x)<-[:USED_CLIENT]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.fingerprint) AS names, collect(degree) AS degrees
