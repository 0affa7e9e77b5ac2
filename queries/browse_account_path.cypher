// name: browse_account_path
// description: Neo4j Browser: why two accounts are linked: up to 3 shortest paths between them through shared identifiers (payment methods, IPs, email domains, orgs, API keys, client fingerprints, prompt templates), at most 4 account-identifier-account links each, never through a hub (an identifier with more than 50 links), plus the clusters they share. At most 30 nodes; no row when they are not linked that way. In Browser: :param account_id => 'acct_…' and :param other_account_id => 'acct_…'
// mode: read
// param account_id: str
// param other_account_id: str
MATCH (a:Account {account_id: $account_id}), (b:Account {account_id: $other_account_id})
MATCH p = SHORTEST 3 (a)
  ((:Account)-[:PAID_WITH|SIGNED_UP_FROM|USED_IP|HAS_EMAIL_DOMAIN|BELONGS_TO|USED_KEY|USED_CLIENT|SENT_TEMPLATE]->(x)
   <-[:PAID_WITH|SIGNED_UP_FROM|USED_IP|HAS_EMAIL_DOMAIN|BELONGS_TO|USED_KEY|USED_CLIENT|SENT_TEMPLATE]-(:Account)
   WHERE COUNT { (x)<--() } <= 50){1,4}
  (b)
RETURN p AS path, length(p) / 2 AS links,
       [n IN nodes(p) WHERE NOT n:Account |
        labels(n)[0] + ' ' + toString(coalesce(n.fingerprint, n.address, n.domain, n.org_id, n.key_id,
                                                n.template_id))] AS through,
       COLLECT { MATCH q = (a)-[m:MEMBER_OF]->(c:Cluster)<-[n:MEMBER_OF]-(b)
                 WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '') AND coalesce(n.run_id, '') = coalesce(c.run_id, '')
                 RETURN q LIMIT 3 } AS shared_clusters
ORDER BY links
