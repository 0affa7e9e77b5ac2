// name: report_cluster_sample
// description: A drawable sample of one cluster as plain nodes and edges (for `linkage report` and `linkage export graph`): its $members most active members and the identifiers at least two accounts share, chosen as browse_cluster chooses them (payment methods ≤ 40, IPs ≤ 60 with ≤ 10 networks and their proxy networks, client fingerprints ≤ 15, templates ≤ 20, most shared within the sample first), plus the totals the sample leaves out. Nodes carry a key ("Kind:id"), kind, label and a few non-personal properties; edges carry source, target, type and requests.
// mode: read
// param cluster_id: str
// param members: int
MATCH (c:Cluster {cluster_id: $cluster_id})
CALL (c) {
  MATCH (a:Account)-[m:MEMBER_OF]->(c)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH a ORDER BY coalesce(a.requests, 0) DESC, a.account_id LIMIT $members
  RETURN collect(a) AS members
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[:PAID_WITH]->(x:PaymentMethod)
  WITH x, collect(a) AS holders WHERE COUNT { (x)<-[:PAID_WITH]-(:Account) } >= 2
  ORDER BY size(holders) DESC, x.fingerprint LIMIT 40
  RETURN collect({node: {key: 'PaymentMethod:' + x.fingerprint, kind: 'PaymentMethod', label: x.fingerprint,
                         detail: x.kind},
                  edges: [h IN holders | {source: 'Account:' + h.account_id, target: 'PaymentMethod:' + x.fingerprint,
                                          type: 'PAID_WITH', requests: null}]}) AS payment_methods
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:SIGNED_UP_FROM|USED_IP]->(x:IP)
  WITH x, collect({account: a.account_id, type: type(r), requests: r.requests}) AS uses,
       count(DISTINCT a) AS sharers
  WHERE COUNT { (x)<-[:SIGNED_UP_FROM|USED_IP]-(:Account) } >= 2
  ORDER BY sharers DESC, x.address LIMIT 60
  RETURN collect(x) AS ip_nodes,
         collect({node: {key: 'IP:' + x.address, kind: 'IP', label: x.address, detail: x.kind},
                  edges: [u IN uses | {source: 'Account:' + u.account, target: 'IP:' + x.address, type: u.type,
                                       requests: u.requests}]}) AS ips
}
CALL (ip_nodes) {
  UNWIND ip_nodes AS ip
  MATCH (ip)-[:IN_NETWORK]->(n:Network)
  WITH n, collect(ip) AS exits ORDER BY size(exits) DESC, n.cidr LIMIT 10
  OPTIONAL MATCH (n)-[:OPERATED_BY]->(p:ProxyNetwork)
  RETURN collect({node: {key: 'Network:' + n.cidr, kind: 'Network', label: n.cidr, detail: n.kind},
                  edges: [ip IN exits | {source: 'IP:' + ip.address, target: 'Network:' + n.cidr,
                                         type: 'IN_NETWORK', requests: null}]
                         + CASE WHEN p IS NULL THEN [] ELSE
                             [{source: 'Network:' + n.cidr, target: 'ProxyNetwork:' + p.name, type: 'OPERATED_BY',
                               requests: null}] END,
                  proxy: CASE WHEN p IS NULL THEN null ELSE
                           {key: 'ProxyNetwork:' + p.name, kind: 'ProxyNetwork', label: p.name, detail: null} END})
         AS networks
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:USED_CLIENT]->(x:ClientFingerprint)
  WITH x, collect({account: a.account_id, requests: r.requests}) AS uses
  WHERE COUNT { (x)<-[:USED_CLIENT]-(:Account) } >= 2
  ORDER BY size(uses) DESC, x.fingerprint LIMIT 15
  RETURN collect({node: {key: 'ClientFingerprint:' + x.fingerprint, kind: 'ClientFingerprint', label: x.fingerprint,
                         detail: null},
                  edges: [u IN uses | {source: 'Account:' + u.account, target: 'ClientFingerprint:' + x.fingerprint,
                                       type: 'USED_CLIENT', requests: u.requests}]}) AS clients
}
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:SENT_TEMPLATE]->(x:PromptTemplate)
  WITH x, collect({account: a.account_id, requests: r.requests}) AS uses
  WHERE COUNT { (x)<-[:SENT_TEMPLATE]-(:Account) } >= 2
  ORDER BY size(uses) DESC, x.template_id LIMIT 20
  RETURN collect({node: {key: 'PromptTemplate:' + x.template_id, kind: 'PromptTemplate', label: x.template_id,
                         detail: null},
                  edges: [u IN uses | {source: 'Account:' + u.account, target: 'PromptTemplate:' + x.template_id,
                                       type: 'SENT_TEMPLATE', requests: u.requests}]}) AS templates
}
RETURN c {.cluster_id, .verdict, .score, .size} AS cluster,
       [a IN members | {key: 'Account:' + a.account_id, kind: 'Account', label: a.account_id,
                        detail: a.tier, requests: a.requests}] AS members,
       payment_methods, ips, networks, clients, templates,
       COUNT { (c)<-[m:MEMBER_OF]-(:Account) WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '') }
         AS members_total
