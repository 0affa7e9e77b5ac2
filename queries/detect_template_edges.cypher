// name: detect_template_edges
// description: Detection input, account to prompt-template edges: the relationships of some PromptTemplate nodes (a chunk of detect_template_nodes) as parallel lists in one row (account node id, PromptTemplate node id, requests, first/last seen in epoch seconds); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:PromptTemplate)<-[r:SENT_TEMPLATE]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(coalesce(r.requests, 0)) AS requests,
       collect(coalesce(toFloat(r.first_seen.epochSeconds), 0.0 / 0.0)) AS first_s,
       collect(coalesce(toFloat(r.last_seen.epochSeconds), 0.0 / 0.0)) AS last_s
