// name: detect_signup_edges
// description: Account to signup-IP edges with the IP's intelligence: kind, proxy network, VPN/Tor (detection input: where accounts registered from).
// mode: read
MATCH (a:Account)-[:SIGNED_UP_FROM]->(ip:IP)
RETURN a.account_id AS account_id, ip.address AS identifier, 0 AS requests,
       coalesce(ip.kind, 'unknown') AS kind, ip.proxy_network AS proxy_network,
       coalesce(ip.is_vpn, false) OR coalesce(ip.is_tor, false) AS anonymous
