// name: load_graph_networks
// description: Every stored network with the intelligence copied onto the IPs it contains.
// mode: read
MATCH (n:Network)
OPTIONAL MATCH (n)-[:OPERATED_BY]->(px:ProxyNetwork)
WITH n, min(px.name) AS proxy_network
RETURN n.cidr AS cidr, n.kind AS kind, n.asn AS asn, proxy_network,
       n.is_vpn AS is_vpn, n.is_tor AS is_tor
