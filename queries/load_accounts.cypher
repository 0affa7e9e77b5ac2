// name: load_accounts
// description: Upsert accounts with their email domain, org and signup IP (values absent from a row leave stored ones untouched).
// mode: write
// param rows: list[map] {account_id: str, created_at: int (epoch ms), email_hash: str, email_domain: str, country: str, org_id: str, tier: str, status: str, signup_ip: str, signup_ip_version: int, extra: map}
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
SET a.created_at = datetime({epochMillis: row.created_at}),
    a.email_hash = coalesce(row.email_hash, a.email_hash),
    a.country = coalesce(row.country, a.country),
    a.tier = coalesce(row.tier, a.tier),
    a.status = coalesce(row.status, a.status)
SET a += row.extra
FOREACH (domain IN CASE WHEN row.email_domain IS NULL THEN [] ELSE [row.email_domain] END |
  MERGE (d:EmailDomain {domain: domain})
  MERGE (a)-[:HAS_EMAIL_DOMAIN]->(d))
FOREACH (org_id IN CASE WHEN row.org_id IS NULL THEN [] ELSE [row.org_id] END |
  MERGE (o:Org {org_id: org_id})
  MERGE (a)-[:BELONGS_TO]->(o))
FOREACH (address IN CASE WHEN row.signup_ip IS NULL THEN [] ELSE [row.signup_ip] END |
  MERGE (ip:IP {address: address})
    ON CREATE SET ip.version = row.signup_ip_version
  MERGE (a)-[:SIGNED_UP_FROM]->(ip))
