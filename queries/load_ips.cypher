// name: load_ips
// description: Upsert IP addresses seen in the request log: request counts added, first/last seen widened.
// mode: write
// param rows: list[map] {address: str, version: int, requests: int, first_seen: int (epoch ms), last_seen: int (epoch ms)}
UNWIND $rows AS row
MERGE (ip:IP {address: row.address})
WITH ip, row, datetime({epochMillis: row.first_seen}) AS first_seen, datetime({epochMillis: row.last_seen}) AS last_seen
SET ip.version = row.version,
    ip.requests = coalesce(ip.requests, 0) + row.requests,
    ip.first_seen = CASE WHEN ip.first_seen IS NULL OR first_seen < ip.first_seen THEN first_seen ELSE ip.first_seen END,
    ip.last_seen = CASE WHEN ip.last_seen IS NULL OR last_seen > ip.last_seen THEN last_seen ELSE ip.last_seen END
