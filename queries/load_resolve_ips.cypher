// name: load_resolve_ips
// description: Link IPs to their longest-prefix network (replacing a less specific earlier match) and copy its intelligence onto the IP.
// mode: write
// param rows: list[map] {address: str, cidr: str, kind: str, asn: int, proxy_network: str, is_vpn: bool, is_tor: bool}
UNWIND $rows AS row
MATCH (ip:IP {address: row.address})
MATCH (n:Network {cidr: row.cidr})
CALL (ip, n) {
  MATCH (ip)-[old:IN_NETWORK]->(other)
  WHERE other <> n
  DELETE old
}
MERGE (ip)-[:IN_NETWORK]->(n)
SET ip.kind = row.kind, ip.asn = row.asn, ip.proxy_network = row.proxy_network, ip.is_vpn = row.is_vpn,
    ip.is_tor = row.is_tor
