// name: detect_accounts
// description: Every account with its creation time, volume, organisation and activity per time bucket (detection input). Within a window: only accounts created before its end ($window_end, epoch seconds), only activity buckets in [$from_bucket, $to_bucket) and the requests in them.
// mode: read
// param window_end: float | None
// param from_bucket: int | None
// param to_bucket: int | None
MATCH (a:Account)
WHERE $window_end IS NULL OR a.created_at IS NULL OR a.created_at.epochSeconds < $window_end
WITH a, coalesce(a.activity_buckets, []) AS buckets, coalesce(a.activity_counts, []) AS counts
WITH a, buckets, counts,
     CASE WHEN $from_bucket IS NULL AND $to_bucket IS NULL THEN null
          ELSE [i IN range(0, size(buckets) - 1)
                WHERE ($from_bucket IS NULL OR buckets[i] >= $from_bucket)
                  AND ($to_bucket IS NULL OR buckets[i] < $to_bucket)] END AS kept
RETURN a.account_id AS account_id,
       a.created_at AS created_at,
       CASE WHEN kept IS NULL THEN coalesce(a.requests, 0)
            ELSE reduce(total = 0, i IN kept | total + counts[i]) END AS requests,
       [(a)-[:BELONGS_TO]->(o:Org) | o.org_id][0] AS org_id,
       CASE WHEN kept IS NULL THEN buckets ELSE [i IN kept | buckets[i]] END AS buckets,
       CASE WHEN kept IS NULL THEN counts ELSE [i IN kept | counts[i]] END AS counts
