// name: detect_email_domain_edges
// description: Account to email-domain edges (detection input).
// mode: read
MATCH (a:Account)-[:HAS_EMAIL_DOMAIN]->(d:EmailDomain)
RETURN a.account_id AS account_id, d.domain AS identifier, 1 AS requests
