// name: detect_write_clusters
// description: Create or update Cluster nodes from detection results; an existing case status is kept.
// mode: write
// param rows: list[map]
// param detected_at: datetime
UNWIND $rows AS row
MERGE (c:Cluster {cluster_id: row.cluster_id})
SET c.size = row.size,
    c.score = row.score,
    c.verdict = row.verdict,
    c.evidence = row.evidence,
    c.signals = row.signals,
    c.capabilities = row.capabilities,
    c.proxy_networks = row.proxy_networks,
    c.first_seen = row.first_seen,
    c.last_seen = row.last_seen,
    c.detected_at = $detected_at,
    c.retired = false,
    c.case_status = coalesce(c.case_status, 'OPEN')
RETURN count(*) AS written
