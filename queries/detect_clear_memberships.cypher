// name: detect_clear_memberships
// description: Delete up to $limit MEMBER_OF relationships (called until none remain, one bounded transaction each).
// mode: write
// param limit: int
MATCH ()-[r:MEMBER_OF]->()
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
