// name: detect_stage_snapshots
// description: Write a run's clusters as ClusterSnapshot nodes (size, score, verdict, evidence, the members' requests per activity bucket (until the switch copies them to the cluster), change since the run before; found = false for a cluster of the run before that ended, with size 0); nothing reads them as the current state until the run switches.
// mode: write
// param run_id: str
// param rows: list[map]
UNWIND $rows AS row
MERGE (s:ClusterSnapshot {snapshot_id: $run_id + '/' + row.cluster_id})
SET s.run_id = $run_id,
    s.cluster_id = row.cluster_id,
    s.found = row.found,
    s.size = row.size,
    s.score = row.score,
    s.verdict = row.verdict,
    s.evidence = row.evidence,
    s.signals = row.signals,
    s.capabilities = row.capabilities,
    s.proxy_networks = row.proxy_networks,
    s.first_seen = row.first_seen,
    s.last_seen = row.last_seen,
    s.activity_buckets = row.activity_buckets,
    s.activity_counts = row.activity_counts,
    s.change = row.change,
    s.related = row.related,
    s.previous_size = row.previous_size,
    s.previous_score = row.previous_score,
    s.previous_verdict = row.previous_verdict
RETURN count(*) AS written
