// name: detect_key_edges
// description: Account to API-key edges with request counts (detection input).
// mode: read
MATCH (a:Account)-[r:USED_KEY]->(k:ApiKey)
RETURN a.account_id AS account_id, k.key_id AS identifier, coalesce(r.requests, 0) AS requests
