// name: detect_key_edges
// description: Detection input, account to API-key edges with request counts: the relationships of some ApiKey nodes (a chunk of detect_key_nodes) as parallel lists in one row (account node id, ApiKey node id, requests).
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:ApiKey)<-[r:USED_KEY]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts, collect(node_id) AS idents, collect(coalesce(r.requests, 0)) AS requests
