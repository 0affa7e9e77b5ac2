// name: browse_account
// description: Neo4j Browser: one account, its clusters and what links it to others: up to 40 of its identifiers (shared non-hub ones first) and up to 100 other accounts that share a non-hub identifier with it (a hub is an identifier with more than 50 links, such as a carrier's NAT address or gmail.com: shown, not expanded), plus a table of every shown identifier and how many accounts share it. At most 146 nodes. In Browser: :param account_id => 'acct_…'
// mode: read
// param account_id: str
MATCH (a:Account {account_id: $account_id})
CALL (a) {
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, m ORDER BY c.score DESC, c.cluster_id LIMIT 5
  RETURN collect(c) AS clusters, collect(m) AS memberships
}
CALL (a) {
  MATCH (a)-[r:PAID_WITH|SIGNED_UP_FROM|USED_IP|USED_KEY|USED_CLIENT|SENT_TEMPLATE|HAS_EMAIL_DOMAIN|BELONGS_TO]->(x)
  WITH x, collect(r) AS rels, COUNT { (x)<--(:Account) } AS shared_by
  // Rare shared identifiers are the strongest evidence, then hubs, then what nobody else uses.
  ORDER BY CASE WHEN shared_by > 50 THEN 1 WHEN shared_by >= 2 THEN 0 ELSE 2 END, shared_by DESC
  LIMIT 40
  RETURN collect(x) AS identifiers, reduce(acc = [], rs IN collect(rels) | acc + rs) AS own_links,
         collect({kind: labels(x)[0],
                  value: coalesce(x.fingerprint, x.address, x.domain, x.org_id, x.key_id, x.template_id),
                  shared_by: shared_by, hub: shared_by > 50}) AS identifier_table
}
CALL (a, identifiers) {
  UNWIND identifiers AS x
  MATCH (x)<-[r]-(b:Account)
  WHERE b <> a AND COUNT { (x)<--(:Account) } <= 50
  WITH b, collect(r) AS rels
  ORDER BY size(rels) DESC, b.account_id LIMIT 100
  RETURN collect(b) AS linked_accounts, reduce(acc = [], rs IN collect(rels) | acc + rs) AS shared_links
}
RETURN a AS account, clusters, identifiers, linked_accounts, memberships + own_links + shared_links AS links,
       identifier_table
