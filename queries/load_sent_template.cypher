// name: load_sent_template
// description: Add per (account, prompt template) request-log aggregates to SENT_TEMPLATE: counts and tokens added, first/last seen widened.
// mode: write
// param rows: list[map] {account_id: str, template_id: str, requests: int, first_seen: int (epoch ms), last_seen: int (epoch ms), input_tokens: int, output_tokens: int}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
MERGE (x:PromptTemplate {template_id: row.template_id})
MERGE (a)-[r:SENT_TEMPLATE]->(x)
WITH r, row, datetime({epochMillis: row.first_seen}) AS first_seen, datetime({epochMillis: row.last_seen}) AS last_seen
SET r.requests = coalesce(r.requests, 0) + row.requests,
    r.first_seen = CASE WHEN r.first_seen IS NULL OR first_seen < r.first_seen THEN first_seen ELSE r.first_seen END,
    r.last_seen = CASE WHEN r.last_seen IS NULL OR last_seen > r.last_seen THEN last_seen ELSE r.last_seen END,
    r.input_tokens = coalesce(r.input_tokens, 0) + row.input_tokens,
    r.output_tokens = coalesce(r.output_tokens, 0) + row.output_tokens
