// name: detect_capability_edges
// description: Detection input, account to capability edges with request counts: the relationships of some Capability nodes (a chunk of detect_capability_nodes) as parallel lists in one row (account node id, Capability node id, requests).
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:Capability)<-[r:USED_CAPABILITY]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts, collect(node_id) AS idents, collect(coalesce(r.requests, 0)) AS requests
