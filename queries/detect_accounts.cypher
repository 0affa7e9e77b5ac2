// name: detect_accounts
// description: Every account with its creation time, volume, organisation and activity per time bucket (detection input).
// mode: read
MATCH (a:Account)
RETURN a.account_id AS account_id,
       a.created_at AS created_at,
       coalesce(a.requests, 0) AS requests,
       [(a)-[:BELONGS_TO]->(o:Org) | o.org_id][0] AS org_id,
       coalesce(a.activity_buckets, []) AS buckets,
       coalesce(a.activity_counts, []) AS counts
