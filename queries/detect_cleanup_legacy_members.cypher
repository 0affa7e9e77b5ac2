// name: detect_cleanup_legacy_members
// description: Delete up to $limit memberships written before detection runs existed (no run_id) of clusters that a run has since switched (called until none remain).
// mode: write
// param limit: int
MATCH ()-[m:MEMBER_OF]->(c:Cluster)
WHERE m.run_id IS NULL AND c.run_id IS NOT NULL
WITH m LIMIT $limit
DELETE m
RETURN count(*) AS deleted
