// name: api_cluster_changes_page
// description: One page of cluster changes recorded by the runs that switched in after $since (a run's changes are against the run before it), newest run first, then by cluster id; $kinds limits the kinds (new, grown, shrunk, unchanged, merged, split, retired); keyset-paginated after ($after_key epoch ms of the run's switch, $after_id snapshot id).
// mode: read
// param since: datetime
// param kinds: list[str]
// param after_key: float | None
// param after_id: str | None
// param limit: int
MATCH (r:DetectionRun)
WHERE r.status IN ['current', 'superseded'] AND r.switched_at > $since
MATCH (s:ClusterSnapshot {run_id: r.run_id})
WHERE s.change IN $kinds
WITH r, s, toFloat(r.switched_at.epochMillis) AS sort_key
WHERE $after_key IS NULL OR sort_key < $after_key OR (sort_key = $after_key AND s.snapshot_id > $after_id)
RETURN s {.snapshot_id, .cluster_id, .found, .change, .size, .score, .verdict, .previous_size, .previous_score,
          .previous_verdict, .related} AS change,
       r {.*} AS run, sort_key
ORDER BY sort_key DESC, s.snapshot_id ASC
LIMIT $limit
