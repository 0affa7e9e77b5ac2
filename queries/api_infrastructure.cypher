// name: api_infrastructure
// description: The accounts (one page, ordered by account_id after a cursor) and clusters behind one piece of infrastructure: an IP, a network (CIDR), a proxy network, a payment fingerprint, a client fingerprint or a prompt template.
// mode: read
// param kind: str
// param value: str
// param after: str | None
// param limit: int
// param top_clusters: int
CALL () {
  MATCH (x:IP {address: $value}) WHERE $kind = 'IP' RETURN x
  UNION
  MATCH (x:Network {cidr: $value}) WHERE $kind = 'NETWORK' RETURN x
  UNION
  MATCH (x:ProxyNetwork {name: $value}) WHERE $kind = 'PROXY_NETWORK' RETURN x
  UNION
  MATCH (x:PaymentMethod {fingerprint: $value}) WHERE $kind = 'PAYMENT_METHOD' RETURN x
  UNION
  MATCH (x:ClientFingerprint {fingerprint: $value}) WHERE $kind = 'CLIENT_FINGERPRINT' RETURN x
  UNION
  MATCH (x:PromptTemplate {template_id: $value}) WHERE $kind = 'TEMPLATE' RETURN x
}
OPTIONAL CALL (x) {
  MATCH (x)<-[:SIGNED_UP_FROM|USED_IP|PAID_WITH|USED_CLIENT|SENT_TEMPLATE]-(a:Account) RETURN a
  UNION
  MATCH (x)<-[:IN_NETWORK]-(:IP)<-[:SIGNED_UP_FROM|USED_IP]-(a:Account) RETURN a
  UNION
  MATCH (x)<-[:OPERATED_BY]-(:Network)<-[:IN_NETWORK]-(:IP)<-[:SIGNED_UP_FROM|USED_IP]-(a:Account) RETURN a
}
WITH x, a ORDER BY a.account_id
WITH x, collect(a) AS accounts
CALL (accounts) {
  UNWIND accounts AS a
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, count(a) AS accounts_behind
  ORDER BY accounts_behind DESC, c.score DESC, c.cluster_id
  LIMIT $top_clusters
  RETURN collect({cluster: c {.cluster_id, .size, .score, .verdict, .evidence, .signals, .first_seen,
                              .last_seen, .detected_at, .case_status, .capabilities, .proxy_networks},
                  accounts: accounts_behind}) AS clusters
}
RETURN x {.*, kind: labels(x)[0]} AS node,
       size(accounts) AS total,
       [a IN accounts WHERE $after IS NULL OR a.account_id > $after | a.account_id][0..$limit] AS page,
       clusters
