// name: load_used_capability
// description: Add per (account, capability) request-log aggregates to USED_CAPABILITY: counts added, first/last seen widened.
// mode: write
// param rows: list[map] {account_id: str, name: str, requests: int, first_seen: int (epoch ms), last_seen: int (epoch ms)}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
MERGE (x:Capability {name: row.name})
MERGE (a)-[r:USED_CAPABILITY]->(x)
WITH r, row, datetime({epochMillis: row.first_seen}) AS first_seen, datetime({epochMillis: row.last_seen}) AS last_seen
SET r.requests = coalesce(r.requests, 0) + row.requests,
    r.first_seen = CASE WHEN r.first_seen IS NULL OR first_seen < r.first_seen THEN first_seen ELSE r.first_seen END,
    r.last_seen = CASE WHEN r.last_seen IS NULL OR last_seen > r.last_seen THEN last_seen ELSE r.last_seen END
