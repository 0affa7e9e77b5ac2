// name: detect_cleanup_snapshots
// description: For up to $limit of one run's snapshots: delete them when the run was abandoned (it never took effect), else drop their evidence (the history keeps size, score, verdict and change). Called until none is left to do.
// mode: write
// param run_id: str
// param abandoned: bool
// param limit: int
MATCH (s:ClusterSnapshot {run_id: $run_id})
WHERE $abandoned OR s.evidence IS NOT NULL
WITH s LIMIT $limit
FOREACH (_ IN CASE WHEN $abandoned THEN [1] ELSE [] END | DELETE s)
FOREACH (_ IN CASE WHEN $abandoned THEN [] ELSE [1] END | REMOVE s.evidence)
RETURN count(*) AS done
