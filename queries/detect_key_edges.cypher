// name: detect_key_edges
// description: Account to API-key edges with request counts (detection input). Within a window (epoch seconds [$window_start, $window_end), either end open when null) only relationships whose first/last seen overlap it count, with their requests scaled to the share of their active period inside it.
// mode: read
// param window_start: float | None
// param window_end: float | None
MATCH (a:Account)-[r:USED_KEY]->(x:ApiKey)
WITH a, r, x, r.first_seen.epochSeconds AS first, r.last_seen.epochSeconds AS last
WHERE ($window_start IS NULL OR last IS NULL OR last >= $window_start)
  AND ($window_end IS NULL OR first IS NULL OR first < $window_end)
RETURN a.account_id AS account_id, x.key_id AS identifier,
       coalesce(r.requests, 0) * CASE
         WHEN first IS NULL OR last IS NULL OR last <= first THEN 1.0
         ELSE toFloat((CASE WHEN $window_end IS NOT NULL AND $window_end < last THEN $window_end ELSE last END)
                      - (CASE WHEN $window_start IS NOT NULL AND $window_start > first THEN $window_start
                              ELSE first END)) / (last - first)
       END AS requests
