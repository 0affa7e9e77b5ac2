// name: load_payment_methods
// description: Upsert payment methods and the accounts' PAID_WITH links (added_at keeps the earliest).
// mode: write
// param rows: list[map] {account_id: str, fingerprint: str, kind: str, issuer_country: str, added_at: int (epoch ms) or null, extra: map}
UNWIND $rows AS row
MERGE (pm:PaymentMethod {fingerprint: row.fingerprint})
SET pm.kind = coalesce(row.kind, pm.kind), pm.issuer_country = coalesce(row.issuer_country, pm.issuer_country)
SET pm += row.extra
MERGE (a:Account {account_id: row.account_id})
MERGE (a)-[r:PAID_WITH]->(pm)
WITH r, CASE WHEN row.added_at IS NULL THEN null ELSE datetime({epochMillis: row.added_at}) END AS added_at
SET r.added_at = CASE WHEN r.added_at IS NULL OR added_at < r.added_at THEN added_at ELSE r.added_at END
