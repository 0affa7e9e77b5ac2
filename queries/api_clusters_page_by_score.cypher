// name: api_clusters_page_by_score
// description: One page of clusters matching the analyst's filters in the default order, score descending then cluster_id (api_clusters_page for the other orders): the same filters and keyset pagination after ($after_key, $after_id), but read in the score index's order, so a page reads about as many clusters as it returns instead of sorting all of them.
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
// param after_key: float | None
// param after_id: str | None
// param limit: int
MATCH (c:Cluster)
WHERE c.score <= coalesce($after_key, 1.0e308)
  AND ($include_retired OR NOT coalesce(c.retired, false))
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
  AND ($after_key IS NULL OR c.score < $after_key OR (c.score = $after_key AND c.cluster_id > $after_id))
WITH c
ORDER BY c.score DESC, c.cluster_id ASC
LIMIT $limit
RETURN c {.cluster_id, .size, .score, .verdict, .evidence, .signals, .first_seen, .last_seen, .detected_at,
          .case_status, .capabilities, .proxy_networks, .case_assignee, .case_priority, .case_ticket_url,
          .case_updated_at, .growth, .changed_at, .retired} AS cluster,
       c.score AS sort_key
