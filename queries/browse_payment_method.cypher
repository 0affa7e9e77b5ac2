// name: browse_payment_method
// description: Neo4j Browser: everything behind one payment-method fingerprint: up to 100 accounts that registered it (most requests first) and up to 20 of their clusters (highest score first), plus counts of what is left out. At most 121 nodes. In Browser: :param fingerprint => 'pm_…'
// mode: read
// param fingerprint: str
MATCH (pm:PaymentMethod {fingerprint: $fingerprint})
CALL (pm) {
  MATCH (pm)<-[r:PAID_WITH]-(a:Account)
  WITH a, r ORDER BY coalesce(a.requests, 0) DESC, a.account_id LIMIT 100
  RETURN collect(a) AS accounts, collect(r) AS uses
}
CALL (accounts) {
  UNWIND accounts AS a
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, collect(m) AS ms ORDER BY c.score DESC, c.cluster_id LIMIT 20
  RETURN collect(c) AS clusters, reduce(acc = [], x IN collect(ms) | acc + x) AS memberships
}
RETURN pm AS payment_method, accounts, clusters, uses + memberships AS links,
       {accounts_total: COUNT { (pm)<-[:PAID_WITH]-(:Account) }, accounts_shown: size(accounts),
        clusters_shown: size(clusters)} AS counts
