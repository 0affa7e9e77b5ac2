// name: detect_accounts
// description: Detection input: every account as parallel lists in one row (node id, account id, creation time in epoch seconds or NaN, request total, organisation or ''); within a window only accounts created before its end ($window_end, epoch seconds). Activity lists come in chunks from detect_account_activity.
// mode: read
// param window_end: float | None
MATCH (a:Account)
WHERE a.account_id IS NOT NULL
  AND ($window_end IS NULL OR a.created_at IS NULL OR a.created_at.epochSeconds < $window_end)
RETURN collect(id(a)) AS node_ids, collect(a.account_id) AS account_ids,
       collect(CASE WHEN a.created_at IS :: ZONED DATETIME
                    THEN toFloat(a.created_at.epochSeconds * 1000000 + a.created_at.nanosecond / 1000) / 1000000.0
                    WHEN a.created_at IS :: INTEGER OR a.created_at IS :: FLOAT THEN toFloat(a.created_at)
                    ELSE 0.0 / 0.0 END) AS created_at,
       collect(coalesce(a.requests, 0)) AS requests,
       collect(coalesce([(a)-[:BELONGS_TO]->(o:Org) | o.org_id][0], '')) AS org_ids
