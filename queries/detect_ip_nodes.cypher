// name: detect_ip_nodes
// description: Detection input, account to IP edges (request log and signup): every IP that has one, as parallel lists in one row (address, kind, proxy network, VPN/Tor, node id, degree for chunking).
// mode: read
MATCH (x:IP)
WHERE x.address IS NOT NULL
WITH x, COUNT { (x)<-[:USED_IP|SIGNED_UP_FROM]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.address) AS names, collect(degree) AS degrees,
       collect(coalesce(x.kind, 'unknown')) AS kind,
       collect(coalesce(x.proxy_network, '')) AS proxy_network,
       collect(coalesce(x.is_vpn, false) OR coalesce(x.is_tor, false)) AS anonymous
