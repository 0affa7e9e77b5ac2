// name: detect_switch_clusters
// description: Switch, step 3: the run's new clusters become Cluster nodes, and every cluster it found takes its values from the run's snapshot and points at the run (so its memberships of this run become the current ones); the case status of a known cluster is kept. The members' requests per bucket move from the snapshot to the cluster (its timeline; absent when the run read a window, so the timeline is summed from the members then). growth is the size change from the run before (a new cluster grew from 0); changed_at moves to now when the run changed the cluster's members or verdict (or it came back from retirement).
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
    c.activity_buckets = s.activity_buckets,
    c.activity_counts = s.activity_counts,
    c.detected_at = $now,
    c.run_id = $run_id,
    c.growth = s.size - coalesce(s.previous_size, 0),
    c.changed_at = CASE
      WHEN c.changed_at IS NULL OR coalesce(c.retired, false) OR s.change <> 'unchanged'
           OR coalesce(s.verdict, '') <> coalesce(s.previous_verdict, '') THEN $now
      ELSE c.changed_at END,
    c.retired = false,
    c.case_status = coalesce(c.case_status, 'OPEN')
REMOVE s.activity_buckets, s.activity_counts
RETURN count(c) AS switched
