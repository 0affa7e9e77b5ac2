// name: detect_stage_clusters
// description: A PendingCluster node for each of a run's cluster ids that is not yet a Cluster (readers match only Cluster, so it stays invisible until the switch relabels it).
// mode: write
// param run_id: str
// param ids: list[str]
UNWIND $ids AS id
OPTIONAL MATCH (c:Cluster {cluster_id: id})
WITH id, c WHERE c IS NULL
MERGE (p:PendingCluster {cluster_id: id})
SET p.staged_by = $run_id
RETURN count(p) AS pending
