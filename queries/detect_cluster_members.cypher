// name: detect_cluster_members
// description: Every cluster member with its cluster's score and verdict, in a stable order (export and evaluation).
// mode: read
MATCH (a:Account)-[m:MEMBER_OF]->(c:Cluster)
WHERE coalesce(c.retired, false) = false AND coalesce(m.run_id, '') = coalesce(c.run_id, '')
RETURN c.cluster_id AS cluster_id, a.account_id AS account_id, c.score AS score, c.verdict AS verdict
ORDER BY cluster_id, account_id
