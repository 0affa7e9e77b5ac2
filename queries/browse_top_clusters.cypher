// name: browse_top_clusters
// description: Neo4j Browser: the 25 highest-scoring live clusters with verdict suspicious or review, strongest first (Cluster nodes plus a table of id, verdict, score, size, signals). No parameters. Next: browse_cluster for one of them.
// mode: read
MATCH (c:Cluster)
WHERE c.verdict IN ['suspicious', 'review'] AND NOT coalesce(c.retired, false)
RETURN c AS cluster, c.cluster_id AS cluster_id, c.verdict AS verdict, round(c.score, 3) AS score,
       c.size AS size, c.signals AS signals, c.case_status AS case_status
ORDER BY c.score DESC, c.size DESC, c.cluster_id
LIMIT 25
