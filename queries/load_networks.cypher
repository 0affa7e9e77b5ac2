// name: load_networks
// description: Upsert ip_intel networks with their ASN and proxy network.
// mode: write
// param rows: list[map] {cidr: str, prefix_length: int, kind: str, asn: int, asn_org: str, proxy_network: str, is_vpn: bool, is_tor: bool, extra: map}
UNWIND $rows AS row
MERGE (n:Network {cidr: row.cidr})
SET n.prefix_length = row.prefix_length, n.kind = row.kind, n.asn = row.asn,
    n.asn_org = row.asn_org, n.is_vpn = row.is_vpn, n.is_tor = row.is_tor
SET n += row.extra
FOREACH (number IN CASE WHEN row.asn IS NULL THEN [] ELSE [row.asn] END |
  MERGE (asn:ASN {number: number})
  SET asn.org = coalesce(row.asn_org, asn.org)
  MERGE (n)-[:ANNOUNCED_BY]->(asn))
FOREACH (name IN CASE WHEN row.proxy_network IS NULL THEN [] ELSE [row.proxy_network] END |
  MERGE (px:ProxyNetwork {name: name})
  MERGE (n)-[:OPERATED_BY]->(px))
