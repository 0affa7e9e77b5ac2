// name: api_cluster_infrastructure
// description: The infrastructure a cluster's members share, per kind the top $top values by number of member accounts: payment methods, IPs, proxy networks, client fingerprints, prompt templates, capabilities; only the kinds named in $kinds are computed (the others come back empty: a large cluster's templates alone cost more than the rest).
// mode: read
// param ids: list[str]
// param top: int
// param kinds: list[str]
UNWIND $ids AS id
MATCH (c:Cluster {cluster_id: id})
CALL (c) {
  WITH c WHERE 'payment_methods' IN $kinds
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:PAID_WITH]->(x:PaymentMethod)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH x, count(DISTINCT a) AS members
  ORDER BY members DESC, x.fingerprint
  LIMIT $top
  RETURN collect({value: x.fingerprint, members: members, detail: x.kind}) AS payment_methods
}
CALL (c) {
  WITH c WHERE 'ips' IN $kinds
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:SIGNED_UP_FROM|USED_IP]->(x:IP)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH x, count(DISTINCT a) AS members
  ORDER BY members DESC, x.address
  LIMIT $top
  RETURN collect({value: x.address, members: members, detail: x.kind, proxy_network: x.proxy_network}) AS ips
}
CALL (c) {
  WITH c WHERE 'proxy_networks' IN $kinds
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:SIGNED_UP_FROM|USED_IP]->(:IP)-[:IN_NETWORK]->(:Network)
        -[:OPERATED_BY]->(x:ProxyNetwork)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH x, count(DISTINCT a) AS members
  ORDER BY members DESC, x.name
  LIMIT $top
  RETURN collect({value: x.name, members: members}) AS proxy_networks
}
CALL (c) {
  WITH c WHERE 'client_fingerprints' IN $kinds
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:USED_CLIENT]->(x:ClientFingerprint)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH x, count(DISTINCT a) AS members
  ORDER BY members DESC, x.fingerprint
  LIMIT $top
  RETURN collect({value: x.fingerprint, members: members}) AS client_fingerprints
}
CALL (c) {
  WITH c WHERE 'templates' IN $kinds
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:SENT_TEMPLATE]->(x:PromptTemplate)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH x, count(DISTINCT a) AS members
  ORDER BY members DESC, x.template_id
  LIMIT $top
  RETURN collect({value: x.template_id, members: members, detail: x.skeleton}) AS templates
}
CALL (c) {
  WITH c WHERE 'capabilities' IN $kinds
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)-[:USED_CAPABILITY]->(x:Capability)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH x, count(DISTINCT a) AS members
  ORDER BY members DESC, x.name
  LIMIT $top
  RETURN collect({value: x.name, members: members}) AS capabilities
}
RETURN id AS cluster_id, payment_methods, ips, proxy_networks, client_fingerprints, templates, capabilities
