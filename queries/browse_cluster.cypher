// name: browse_cluster
// description: Neo4j Browser: one cluster and a readable sample of it: its 50 most active members and the identifiers they share (payment methods, IPs with the networks and proxy networks behind them, client fingerprints, prompt templates; at most 155 identifier nodes, those used by at least two accounts, most shared first), plus counts of what the sample leaves out. At most 206 nodes, whatever the cluster's size. In Browser: :param cluster_id => 'cl_…'
// mode: read
// param cluster_id: str
MATCH (c:Cluster {cluster_id: $cluster_id})
// The sample: the most active members (a 20,000-member cluster still draws 50 accounts).
CALL (c) {
  MATCH (a:Account)-[m:MEMBER_OF]->(c)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH a, m ORDER BY coalesce(a.requests, 0) DESC, a.account_id LIMIT 50
  RETURN collect(a) AS members, collect(m) AS memberships
}
// Each kind: identifiers used by >= 2 accounts, most shared within the sample first, capped.
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:PAID_WITH]->(x:PaymentMethod)
  WITH x, collect(r) AS rels WHERE COUNT { (x)<-[:PAID_WITH]-(:Account) } >= 2
  ORDER BY size(rels) DESC, x.fingerprint LIMIT 40
  RETURN collect(x) AS payment_methods, reduce(acc = [], rs IN collect(rels) | acc + rs) AS paid_with
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:SIGNED_UP_FROM|USED_IP]->(x:IP)
  WITH x, collect(r) AS rels, count(DISTINCT a) AS sharers
  WHERE COUNT { (x)<-[:SIGNED_UP_FROM|USED_IP]-(:Account) } >= 2
  ORDER BY sharers DESC, x.address LIMIT 60
  RETURN collect(x) AS ips, reduce(acc = [], rs IN collect(rels) | acc + rs) AS used_ips
}
// The proxy networks behind those IPs, through at most 10 networks.
CALL (ips) {
  UNWIND ips AS ip
  MATCH (ip)-[:IN_NETWORK]->(n:Network)-[:OPERATED_BY]->(:ProxyNetwork)
  WITH n, count(ip) AS exits ORDER BY exits DESC, n.cidr LIMIT 10
  WITH collect(n) AS networks
  RETURN size(networks) AS networks_shown,
         COLLECT { UNWIND ips AS ip
                   MATCH p = (ip)-[:IN_NETWORK]->(n:Network)-[:OPERATED_BY]->(:ProxyNetwork)
                   WHERE n IN networks
                   RETURN p } AS proxy_paths
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:USED_CLIENT]->(x:ClientFingerprint)
  WITH x, collect(r) AS rels WHERE COUNT { (x)<-[:USED_CLIENT]-(:Account) } >= 2
  ORDER BY size(rels) DESC, x.fingerprint LIMIT 15
  RETURN collect(x) AS clients, reduce(acc = [], rs IN collect(rels) | acc + rs) AS used_clients
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:SENT_TEMPLATE]->(x:PromptTemplate)
  WITH x, collect(r) AS rels WHERE COUNT { (x)<-[:SENT_TEMPLATE]-(:Account) } >= 2
  ORDER BY size(rels) DESC, x.template_id LIMIT 20
  RETURN collect(x) AS templates, reduce(acc = [], rs IN collect(rels) | acc + rs) AS sent_templates
}
RETURN c AS cluster, members, payment_methods, ips, clients, templates,
       memberships + paid_with + used_ips + used_clients + sent_templates AS links, proxy_paths,
       {members_total: COUNT { (c)<-[m:MEMBER_OF]-(:Account) WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '') },
        members_shown: size(members),
        payment_methods_shown: size(payment_methods), ips_shown: size(ips), networks_shown: networks_shown,
        clients_shown: size(clients), templates_shown: size(templates)} AS counts
