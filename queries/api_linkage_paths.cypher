// name: api_linkage_paths
// description: Up to $k (at most 5) shortest evidence paths between two accounts through shared identifiers (at most 4 account-identifier-account links, at most $max_links when smaller); identifiers connected to more than $hub_cap nodes are never crossed (the caller passes the hub degree, or the largest expansion it allows when hubs are asked for).
// mode: read
// param a: str
// param b: str
// param k: int
// param max_links: int
// param hub_cap: int
MATCH (a:Account {account_id: $a}), (b:Account {account_id: $b})
MATCH p = SHORTEST 5 (a)
  ((:Account)-[:PAID_WITH|SIGNED_UP_FROM|USED_IP|HAS_EMAIL_DOMAIN|BELONGS_TO|USED_KEY|USED_CLIENT|SENT_TEMPLATE]->(x)
   <-[:PAID_WITH|SIGNED_UP_FROM|USED_IP|HAS_EMAIL_DOMAIN|BELONGS_TO|USED_KEY|USED_CLIENT|SENT_TEMPLATE]-(:Account)
   WHERE COUNT { (x)<--() } <= $hub_cap){1,4}
  (b)
WITH p WHERE length(p) <= 2 * $max_links
RETURN [n IN nodes(p) | {kind: labels(n)[0],
                         value: coalesce(n.account_id, n.fingerprint, n.address, n.domain, n.org_id, n.key_id,
                                         n.template_id),
                         shared_by: CASE WHEN n:Account THEN null ELSE COUNT { (n)<--() } END}] AS steps
ORDER BY size(steps)
LIMIT $k
