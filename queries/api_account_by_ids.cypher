// name: api_account_by_ids
// description: Accounts by id in one round trip (the API's account DataLoader): profile, email domain, org and an activity summary; unknown ids return no row.
// mode: read
// param ids: list[str]
UNWIND $ids AS id
MATCH (a:Account {account_id: id})
CALL (a) {
  OPTIONAL MATCH (a)-[:HAS_EMAIL_DOMAIN]->(d:EmailDomain)
  OPTIONAL MATCH (a)-[:BELONGS_TO]->(o:Org)
  RETURN head(collect(DISTINCT d.domain)) AS email_domain, head(collect(DISTINCT o.org_id)) AS org_id
}
RETURN a {.account_id, .created_at, .country, .tier, .status, .requests, .input_tokens, .output_tokens,
          .first_seen, .last_seen,
          active_buckets: size(coalesce(a.activity_buckets, [])),
          first_bucket: head(coalesce(a.activity_buckets, [])),
          last_bucket: last(coalesce(a.activity_buckets, [])),
          peak_bucket_requests: reduce(peak = 0, n IN coalesce(a.activity_counts, []) |
                                       CASE WHEN n > peak THEN n ELSE peak END),
          email_domain: email_domain, org_id: org_id} AS account
