// name: detect_capability_edges
// description: Account to capability edges with request counts (detection input).
// mode: read
MATCH (a:Account)-[r:USED_CAPABILITY]->(c:Capability)
RETURN a.account_id AS account_id, c.name AS identifier, coalesce(r.requests, 0) AS requests
