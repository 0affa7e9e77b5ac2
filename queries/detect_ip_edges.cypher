// name: detect_ip_edges
// description: Account to IP edges (request log and signup) with the IP's intelligence: kind, proxy network, VPN/Tor (detection input); a signup IP has no first/last seen and always counts. Within a window (epoch seconds [$window_start, $window_end), either end open when null) only relationships whose first/last seen overlap it count, with their requests scaled to the share of their active period inside it.
// mode: read
// param window_start: float | None
// param window_end: float | None
MATCH (a:Account)-[r:USED_IP|SIGNED_UP_FROM]->(x:IP)
WITH a, r, x, r.first_seen.epochSeconds AS first, r.last_seen.epochSeconds AS last
WHERE ($window_start IS NULL OR last IS NULL OR last >= $window_start)
  AND ($window_end IS NULL OR first IS NULL OR first < $window_end)
RETURN a.account_id AS account_id, x.address AS identifier,
       coalesce(r.requests, 0) * CASE
         WHEN first IS NULL OR last IS NULL OR last <= first THEN 1.0
         ELSE toFloat((CASE WHEN $window_end IS NOT NULL AND $window_end < last THEN $window_end ELSE last END)
                      - (CASE WHEN $window_start IS NOT NULL AND $window_start > first THEN $window_start
                              ELSE first END)) / (last - first)
       END AS requests,
       coalesce(x.kind, 'unknown') AS kind, x.proxy_network AS proxy_network,
       coalesce(x.is_vpn, false) OR coalesce(x.is_tor, false) AS anonymous
