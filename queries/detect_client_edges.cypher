// name: detect_client_edges
// description: Account to API-client fingerprint edges with request counts (detection input).
// mode: read
MATCH (a:Account)-[r:USED_CLIENT]->(c:ClientFingerprint)
RETURN a.account_id AS account_id, c.fingerprint AS identifier, coalesce(r.requests, 0) AS requests
