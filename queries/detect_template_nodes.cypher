// name: detect_template_nodes
// description: Detection input, account to prompt-template edges: every PromptTemplate that has one, as parallel lists in one row (template id, node id, degree for chunking).
// mode: read
MATCH (x:PromptTemplate)
WHERE x.template_id IS NOT NULL
WITH x, COUNT { (x)<-[:SENT_TEMPLATE]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.template_id) AS names, collect(degree) AS degrees
