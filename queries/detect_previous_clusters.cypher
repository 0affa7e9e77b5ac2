// name: detect_previous_clusters
// description: Every live cluster as the current run left it (size, score, verdict, case status): the baseline a new run's changes and alerts are measured against.
// mode: read
MATCH (c:Cluster)
WHERE NOT coalesce(c.retired, false)
RETURN c.cluster_id AS cluster_id, c.size AS size, c.score AS score, c.verdict AS verdict,
       c.case_status AS case_status
