// name: detect_template_edges
// description: Account to prompt-template edges with request counts (detection input).
// mode: read
MATCH (a:Account)-[r:SENT_TEMPLATE]->(t:PromptTemplate)
RETURN a.account_id AS account_id, t.template_id AS identifier, coalesce(r.requests, 0) AS requests
