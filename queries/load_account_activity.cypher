// name: load_account_activity
// description: Add request-log totals to accounts and set their merged activity lists (buckets sorted, counts summed per bucket by the loader).
// mode: write
// param rows: list[map] {account_id: str, requests: int, input_tokens: int, output_tokens: int, first_seen: int (epoch ms), last_seen: int (epoch ms), buckets: list[int], counts: list[int]}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
WITH a, row, datetime({epochMillis: row.first_seen}) AS first_seen, datetime({epochMillis: row.last_seen}) AS last_seen
SET a.requests = coalesce(a.requests, 0) + row.requests,
    a.input_tokens = coalesce(a.input_tokens, 0) + row.input_tokens,
    a.output_tokens = coalesce(a.output_tokens, 0) + row.output_tokens,
    a.first_seen = CASE WHEN a.first_seen IS NULL OR first_seen < a.first_seen THEN first_seen ELSE a.first_seen END,
    a.last_seen = CASE WHEN a.last_seen IS NULL OR last_seen > a.last_seen THEN last_seen ELSE a.last_seen END,
    a.activity_buckets = row.buckets,
    a.activity_counts = row.counts
