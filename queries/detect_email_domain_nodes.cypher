// name: detect_email_domain_nodes
// description: Detection input, account to email-domain edges: every EmailDomain that has one, as parallel lists in one row (domain, node id, degree for chunking).
// mode: read
MATCH (x:EmailDomain)
WHERE x.domain IS NOT NULL
WITH x, COUNT { (x)<-[:HAS_EMAIL_DOMAIN]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.domain) AS names, collect(degree) AS degrees
