// name: detect_existing_memberships
// description: Current cluster membership of every account, to keep cluster ids stable across detection runs.
// mode: read
MATCH (a:Account)-[:MEMBER_OF]->(c:Cluster)
RETURN a.account_id AS account_id, c.cluster_id AS cluster_id
