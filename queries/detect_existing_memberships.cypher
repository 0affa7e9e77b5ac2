// name: detect_existing_memberships
// description: The current run's membership of every account (what checks answer from), to keep cluster ids stable across detection runs and to tell what changed.
// mode: read
MATCH (a:Account)-[m:MEMBER_OF]->(c:Cluster)
WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '') AND NOT coalesce(c.retired, false)
RETURN a.account_id AS account_id, c.cluster_id AS cluster_id
