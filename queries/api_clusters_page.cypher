// name: api_clusters_page
// description: One page of clusters matching the analyst's filters, ordered by a numeric sort key (score, size or last seen) descending, then cluster_id; keyset-paginated after ($after_key, $after_id).
// mode: read
// param verdict: str | None
// param min_size: int | None
// param min_score: float | None
// param capability: str | None
// param proxy_network: str | None
// param seen_after: datetime | None
// param order: str
// param after_key: float | None
// param after_id: str | None
// param limit: int
MATCH (c:Cluster)
WHERE ($verdict IS NULL OR c.verdict = $verdict)
  AND ($min_size IS NULL OR c.size >= $min_size)
  AND ($min_score IS NULL OR c.score >= $min_score)
  AND ($capability IS NULL OR $capability IN c.capabilities)
  AND ($proxy_network IS NULL OR $proxy_network IN c.proxy_networks)
  AND ($seen_after IS NULL OR c.last_seen >= $seen_after)
WITH c,
     CASE $order
       WHEN 'SIZE_DESC' THEN toFloat(coalesce(c.size, 0))
       WHEN 'LAST_SEEN_DESC' THEN toFloat(coalesce(c.last_seen.epochMillis, 0))
       ELSE toFloat(coalesce(c.score, 0.0))
     END AS sort_key
WHERE $after_key IS NULL
   OR sort_key < $after_key
   OR (sort_key = $after_key AND c.cluster_id > $after_id)
RETURN c {.cluster_id, .size, .score, .verdict, .evidence, .signals, .first_seen, .last_seen, .detected_at,
          .case_status, .capabilities, .proxy_networks} AS cluster,
       sort_key
ORDER BY sort_key DESC, c.cluster_id ASC
LIMIT $limit
