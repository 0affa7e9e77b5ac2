// name: detect_cleanup_members
// description: Delete up to $limit memberships of one run that is no longer current (called until none remain, one bounded transaction each).
// mode: write
// param run_id: str
// param limit: int
MATCH ()-[m:MEMBER_OF {run_id: $run_id}]->()
WITH m LIMIT $limit
DELETE m
RETURN count(*) AS deleted
