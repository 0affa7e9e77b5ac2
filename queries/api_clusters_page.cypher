// name: api_clusters_page
// description: One page of clusters matching the analyst's filters (retired clusters only when $include_retired; a cluster without a case counts as OPEN), ordered by a numeric sort key (score, size, last seen or growth) descending, then cluster_id; keyset-paginated after ($after_key, $after_id).
// mode: read
// param verdict: str | None
// param case_statuses: list[str] | None
// param assignee: str | None
// param unassigned: bool
// param priorities: list[str] | None
// param min_size: int | None
// param max_size: int | None
// param min_score: float | None
// param max_score: float | None
// param capability: str | None
// param proxy_network: str | None
// param seen_after: datetime | None
// param first_seen_after: datetime | None
// param first_seen_before: datetime | None
// param changed_after: datetime | None
// param changed_before: datetime | None
// param include_retired: bool
// param order: str
// param after_key: float | None
// param after_id: str | None
// param limit: int
MATCH (c:Cluster)
WHERE ($include_retired OR NOT coalesce(c.retired, false))
  AND ($verdict IS NULL OR c.verdict = $verdict)
  AND ($case_statuses IS NULL OR coalesce(c.case_status, 'OPEN') IN $case_statuses)
  AND ($assignee IS NULL OR c.case_assignee = $assignee)
  AND (NOT $unassigned OR c.case_assignee IS NULL)
  AND ($priorities IS NULL OR c.case_priority IN $priorities)
  AND ($min_size IS NULL OR c.size >= $min_size)
  AND ($max_size IS NULL OR c.size <= $max_size)
  AND ($min_score IS NULL OR c.score >= $min_score)
  AND ($max_score IS NULL OR c.score <= $max_score)
  AND ($capability IS NULL OR $capability IN c.capabilities)
  AND ($proxy_network IS NULL OR $proxy_network IN c.proxy_networks)
  AND ($seen_after IS NULL OR c.last_seen >= $seen_after)
  AND ($first_seen_after IS NULL OR c.first_seen >= $first_seen_after)
  AND ($first_seen_before IS NULL OR c.first_seen < $first_seen_before)
  AND ($changed_after IS NULL OR coalesce(c.changed_at, c.detected_at) >= $changed_after)
  AND ($changed_before IS NULL OR coalesce(c.changed_at, c.detected_at) < $changed_before)
WITH c,
     CASE $order
       WHEN 'SIZE_DESC' THEN toFloat(coalesce(c.size, 0))
       WHEN 'LAST_SEEN_DESC' THEN toFloat(coalesce(c.last_seen.epochMillis, 0))
       WHEN 'GROWTH_DESC' THEN toFloat(coalesce(c.growth, 0))
       ELSE toFloat(coalesce(c.score, 0.0))
     END AS sort_key
WHERE $after_key IS NULL
   OR sort_key < $after_key
   OR (sort_key = $after_key AND c.cluster_id > $after_id)
RETURN c {.cluster_id, .size, .score, .verdict, .evidence, .signals, .first_seen, .last_seen, .detected_at,
          .case_status, .capabilities, .proxy_networks, .case_assignee, .case_priority, .case_ticket_url,
          .case_updated_at, .growth, .changed_at, .retired} AS cluster,
       sort_key
ORDER BY sort_key DESC, c.cluster_id ASC
LIMIT $limit
