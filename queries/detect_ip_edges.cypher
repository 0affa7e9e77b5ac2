// name: detect_ip_edges
// description: Account to IP edges (request log and signup) with the IP's intelligence: kind, proxy network, VPN/Tor (detection input).
// mode: read
MATCH (a:Account)-[r:USED_IP|SIGNED_UP_FROM]->(ip:IP)
RETURN a.account_id AS account_id, ip.address AS identifier, coalesce(r.requests, 0) AS requests,
       coalesce(ip.kind, 'unknown') AS kind, ip.proxy_network AS proxy_network,
       coalesce(ip.is_vpn, false) OR coalesce(ip.is_tor, false) AS anonymous
