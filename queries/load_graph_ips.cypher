// name: load_graph_ips
// description: Every stored IP address (to re-resolve them all when ip_intel is loaded).
// mode: read
MATCH (ip:IP)
RETURN ip.address AS address
