// name: browse_ip
// description: Neo4j Browser: everything behind one IP address: its network, proxy network and ASN, up to 100 accounts that signed up from it or sent requests from it (most requests first) and up to 20 of their clusters (highest score first), plus counts of what is left out. At most 124 nodes. In Browser: :param address => '185.220.10.7'
// mode: read
// param address: str
MATCH (ip:IP {address: $address})
CALL (ip) {
  MATCH (ip)<-[r:SIGNED_UP_FROM|USED_IP]-(a:Account)
  WITH a, collect(r) AS rels, sum(coalesce(r.requests, 0)) AS requests
  ORDER BY requests DESC, a.account_id LIMIT 100
  RETURN collect(a) AS accounts, reduce(acc = [], rs IN collect(rels) | acc + rs) AS uses
}
CALL (accounts) {
  UNWIND accounts AS a
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, collect(m) AS ms ORDER BY c.score DESC, c.cluster_id LIMIT 20
  RETURN collect(c) AS clusters, reduce(acc = [], x IN collect(ms) | acc + x) AS memberships
}
RETURN ip, accounts, clusters, uses + memberships AS links,
       COLLECT { MATCH p = (ip)-[:IN_NETWORK]->(:Network)-[:OPERATED_BY|ANNOUNCED_BY]->() RETURN p LIMIT 2 }
         + COLLECT { MATCH p = (ip)-[:IN_NETWORK]->(:Network) RETURN p LIMIT 1 } AS network,
       {accounts_total: COUNT { MATCH (ip)<-[:SIGNED_UP_FROM|USED_IP]-(a:Account) RETURN DISTINCT a },
        accounts_shown: size(accounts), clusters_shown: size(clusters)} AS counts
