// name: detect_cleanup_pending
// description: Delete up to $limit PendingCluster nodes of one abandoned run (their memberships are deleted first, in batches).
// mode: write
// param run_id: str
// param limit: int
MATCH (p:PendingCluster {staged_by: $run_id})
WITH p LIMIT $limit
DETACH DELETE p
RETURN count(*) AS deleted
