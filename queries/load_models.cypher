// name: load_models
// description: Upsert models: request counts added, first_seen keeps the earliest request.
// mode: write
// param rows: list[map] {name: str, requests: int, first_seen: int (epoch ms)}
UNWIND $rows AS row
MERGE (m:Model {name: row.name})
WITH m, row, datetime({epochMillis: row.first_seen}) AS first_seen
SET m.requests = coalesce(m.requests, 0) + row.requests,
    m.first_seen = CASE WHEN m.first_seen IS NULL OR first_seen < m.first_seen THEN first_seen ELSE m.first_seen END
