// name: detect_cluster_detail
// description: One cluster with its evidence and the identifiers its members use (STIX export).
// mode: read
// param cluster_id: str
MATCH (c:Cluster {cluster_id: $cluster_id})
OPTIONAL MATCH (a:Account)-[m:MEMBER_OF]->(c)
WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
WITH c, collect(a) AS members
RETURN c {.*} AS cluster,
       [m IN members | m.account_id] AS accounts,
       COLLECT {
         UNWIND members AS m
         MATCH (m)-[r:USED_IP]->(ip:IP)
         WITH ip, count(DISTINCT m) AS accounts, sum(r.requests) AS requests
         ORDER BY accounts DESC, requests DESC LIMIT 200
         RETURN {address: ip.address, accounts: accounts, requests: requests, kind: ip.kind,
                 proxy_network: ip.proxy_network, asn: ip.asn}
       } AS ips,
       COLLECT {
         UNWIND members AS m
         MATCH (m)-[:PAID_WITH]->(p:PaymentMethod)
         WITH p, count(DISTINCT m) AS accounts WHERE accounts >= 2
         ORDER BY accounts DESC LIMIT 200
         RETURN {fingerprint: p.fingerprint, accounts: accounts, kind: p.kind}
       } AS payment_methods,
       COLLECT {
         UNWIND members AS m
         MATCH (m)-[:USED_IP]->(:IP)-[:IN_NETWORK]->(n:Network)
         WITH n, count(DISTINCT m) AS accounts
         ORDER BY accounts DESC LIMIT 100
         RETURN {cidr: n.cidr, accounts: accounts, asn: n.asn, kind: n.kind}
       } AS networks,
       COLLECT {
         UNWIND members AS m
         MATCH (m)-[r:SENT_TEMPLATE]->(t:PromptTemplate)
         WITH t, count(DISTINCT m) AS accounts, sum(r.requests) AS requests
         ORDER BY requests DESC LIMIT 20
         RETURN {template_id: t.template_id, accounts: accounts, requests: requests}
       } AS templates,
       reduce(total = 0, m IN members | total + coalesce(m.requests, 0)) AS requests
