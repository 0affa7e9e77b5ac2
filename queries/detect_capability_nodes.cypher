// name: detect_capability_nodes
// description: Detection input, account to capability edges: every Capability that has one, as parallel lists in one row (name, node id, degree for chunking).
// mode: read
MATCH (x:Capability)
WHERE x.name IS NOT NULL
WITH x, COUNT { (x)<-[:USED_CAPABILITY]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.name) AS names, collect(degree) AS degrees
