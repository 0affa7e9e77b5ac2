// name: api_clusters_count
// description: How many clusters match the analyst's filters (the connection's totalCount).
// mode: read
// param verdict: str | None
// param min_size: int | None
// param min_score: float | None
// param capability: str | None
// param proxy_network: str | None
// param seen_after: datetime | None
MATCH (c:Cluster)
WHERE ($verdict IS NULL OR c.verdict = $verdict)
  AND ($min_size IS NULL OR c.size >= $min_size)
  AND ($min_score IS NULL OR c.score >= $min_score)
  AND ($capability IS NULL OR $capability IN c.capabilities)
  AND ($proxy_network IS NULL OR $proxy_network IN c.proxy_networks)
  AND ($seen_after IS NULL OR c.last_seen >= $seen_after)
RETURN count(c) AS total
