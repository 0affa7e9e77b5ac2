// name: detect_template_edges
// description: Detection input, account to prompt-template edges with request counts: the relationships of some PromptTemplate nodes (a chunk of detect_template_nodes) as parallel lists in one row (account node id, PromptTemplate node id, requests).
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:PromptTemplate)<-[r:SENT_TEMPLATE]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts, collect(node_id) AS idents, collect(coalesce(r.requests, 0)) AS requests
