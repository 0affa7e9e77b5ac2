// name: detect_store_infrastructure
// description: After a run's switch: store one large cluster's shared infrastructure (the api_cluster_infrastructure row for every kind, top $top values each, as JSON) on the cluster, marked with the run it was computed for; nothing is stored when another run took effect since.
// mode: write
// param cluster_id: str
// param run_id: str
// param infrastructure: str
// param top: int
MATCH (c:Cluster {cluster_id: $cluster_id})
WHERE c.run_id = $run_id
SET c.infrastructure = $infrastructure, c.infrastructure_top = $top, c.infrastructure_run = $run_id
RETURN count(c) AS stored
