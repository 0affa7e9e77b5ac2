// name: detect_key_nodes
// description: Detection input, account to API-key edges: every ApiKey that has one, as parallel lists in one row (key id, node id, degree for chunking).
// mode: read
MATCH (x:ApiKey)
WHERE x.key_id IS NOT NULL
WITH x, COUNT { (x)<-[:USED_KEY]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.key_id) AS names, collect(degree) AS degrees
