// name: detect_email_domain_edges
// description: Detection input, account to email-domain edges: the relationships of some EmailDomain nodes (a chunk of detect_email_domain_nodes) as parallel lists in one row (account node id, EmailDomain node id, requests); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:EmailDomain)<-[r:HAS_EMAIL_DOMAIN]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(1) AS requests
