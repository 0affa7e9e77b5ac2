// name: api_cluster_history
// description: Each requested cluster's size, score and verdict per detection run that took effect (newest first, at most $limit per cluster), with the change the run recorded for it.
// mode: read
// param ids: list[str]
// param limit: int
UNWIND $ids AS id
CALL (id) {
  MATCH (s:ClusterSnapshot {cluster_id: id})
  MATCH (r:DetectionRun {run_id: s.run_id})
  WHERE r.status IN ['current', 'superseded']
  WITH s, r ORDER BY r.switched_at DESC
  LIMIT $limit
  RETURN collect({snapshot: s {.snapshot_id, .cluster_id, .found, .change, .size, .score, .verdict,
                               .previous_size, .previous_score, .previous_verdict, .related},
                  run: r {.*}}) AS history
}
RETURN id AS cluster_id, history
