// name: detect_model_edges
// description: Account to model edges with request counts, the account's first use and the model's first appearance in the log (detection input).
// mode: read
MATCH (a:Account)-[r:USED_MODEL]->(m:Model)
RETURN a.account_id AS account_id, m.name AS identifier, coalesce(r.requests, 0) AS requests,
       r.first_seen AS first_seen, m.first_seen AS model_first_seen
