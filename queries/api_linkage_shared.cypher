// name: api_linkage_shared
// description: The identifiers two accounts share directly, with how many accounts share each (hubs included: these are facts, not paths to expand), the $limit rarest.
// mode: read
// param a: str
// param b: str
// param limit: int
MATCH (a:Account {account_id: $a})-[r1]->(x)<-[r2]-(b:Account {account_id: $b})
WHERE type(r1) IN ['PAID_WITH', 'SIGNED_UP_FROM', 'USED_IP', 'HAS_EMAIL_DOMAIN', 'BELONGS_TO', 'USED_KEY',
                   'USED_CLIENT', 'SENT_TEMPLATE']
  AND type(r2) IN ['PAID_WITH', 'SIGNED_UP_FROM', 'USED_IP', 'HAS_EMAIL_DOMAIN', 'BELONGS_TO', 'USED_KEY',
                   'USED_CLIENT', 'SENT_TEMPLATE']
WITH DISTINCT x
RETURN labels(x)[0] AS kind,
       coalesce(x.fingerprint, x.address, x.domain, x.org_id, x.key_id, x.template_id) AS value,
       COUNT { MATCH (x)<--(o:Account) RETURN DISTINCT o } AS shared_by
ORDER BY shared_by, value
LIMIT $limit
