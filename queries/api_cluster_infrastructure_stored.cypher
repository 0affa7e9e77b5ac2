// name: api_cluster_infrastructure_stored
// description: The shared infrastructure detection stored on large clusters (JSON, top infrastructure_top values per kind), for those of $ids whose stored value belongs to the run in force and holds at least $top values per kind; the others are computed live (api_cluster_infrastructure).
// mode: read
// param ids: list[str]
// param top: int
UNWIND $ids AS id
MATCH (c:Cluster {cluster_id: id})
WHERE c.infrastructure_run = c.run_id AND c.infrastructure_top >= $top
RETURN id AS cluster_id, c.infrastructure AS infrastructure
