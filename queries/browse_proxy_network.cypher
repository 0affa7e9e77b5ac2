// name: browse_proxy_network
// description: Neo4j Browser: everything behind one proxy network: up to 10 of its networks (most exit IPs first), up to 60 exit IPs in them (most accounts first), up to 100 accounts behind those exits (most exits, then most requests first) and up to 20 of their clusters, plus counts of what is left out. At most 191 nodes. In Browser: :param name => 'relaymesh'
// mode: read
// param name: str
MATCH (px:ProxyNetwork {name: $name})
CALL (px) {
  MATCH (px)<-[o:OPERATED_BY]-(n:Network)
  WITH n, o, COUNT { (n)<-[:IN_NETWORK]-(:IP) } AS exits
  ORDER BY exits DESC, n.cidr LIMIT 10
  RETURN collect(n) AS networks, collect(o) AS operated_by
}
CALL (networks) {
  UNWIND networks AS n
  MATCH (n)<-[i:IN_NETWORK]-(ip:IP)
  WITH ip, i, COUNT { (ip)<-[:SIGNED_UP_FROM|USED_IP]-(:Account) } AS users
  ORDER BY users DESC, ip.address LIMIT 60
  RETURN collect(ip) AS ips, collect(i) AS in_network
}
CALL (ips) {
  UNWIND ips AS ip
  MATCH (ip)<-[r:SIGNED_UP_FROM|USED_IP]-(a:Account)
  WITH a, collect(r) AS rels, count(DISTINCT ip) AS exits, sum(coalesce(r.requests, 0)) AS requests
  ORDER BY exits DESC, requests DESC, a.account_id LIMIT 100
  RETURN collect(a) AS accounts, reduce(acc = [], rs IN collect(rels) | acc + rs) AS uses
}
CALL (accounts) {
  UNWIND accounts AS a
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, collect(m) AS ms ORDER BY c.score DESC, c.cluster_id LIMIT 20
  RETURN collect(c) AS clusters, reduce(acc = [], x IN collect(ms) | acc + x) AS memberships
}
RETURN px AS proxy_network, networks, ips, accounts, clusters,
       operated_by + in_network + uses + memberships AS links,
       {networks_total: COUNT { (px)<-[:OPERATED_BY]-(:Network) }, networks_shown: size(networks),
        exits_total: COUNT { (px)<-[:OPERATED_BY]-(:Network)<-[:IN_NETWORK]-(:IP) }, exits_shown: size(ips),
        accounts_shown: size(accounts), clusters_shown: size(clusters)} AS counts
