// name: detect_switch_clusters
// description: Switch, step 3: the run's new clusters become Cluster nodes, and every cluster it found takes its values from the run's snapshot and points at the run (so its memberships of this run become the current ones); the case status of a known cluster is kept.
// mode: write
// param run_id: str
// param now: datetime
MATCH (s:ClusterSnapshot {run_id: $run_id})
WHERE s.found
OPTIONAL MATCH (p:PendingCluster {cluster_id: s.cluster_id})
REMOVE p:PendingCluster
SET p:Cluster
REMOVE p.staged_by
WITH s
MATCH (c:Cluster {cluster_id: s.cluster_id})
SET c.size = s.size,
    c.score = s.score,
    c.verdict = s.verdict,
    c.evidence = s.evidence,
    c.signals = s.signals,
    c.capabilities = s.capabilities,
    c.proxy_networks = s.proxy_networks,
    c.first_seen = s.first_seen,
    c.last_seen = s.last_seen,
    c.detected_at = $now,
    c.run_id = $run_id,
    c.retired = false,
    c.case_status = coalesce(c.case_status, 'OPEN')
RETURN count(c) AS switched
