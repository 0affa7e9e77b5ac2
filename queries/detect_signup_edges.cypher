// name: detect_signup_edges
// description: Detection input, account to signup-IP edges (where accounts registered from): the relationships of some IP nodes (a chunk of detect_signup_nodes) as parallel lists in one row (account node id, IP node id, requests); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:IP)<-[r:SIGNED_UP_FROM]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(0) AS requests
