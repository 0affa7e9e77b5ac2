// name: detect_switch_retire
// description: Switch, step 4: clusters the run did not find point at the run too (so none of their older memberships counts) and are marked retired with size 0; the cleanup later deletes those without case notes.
// mode: write
// param run_id: str
// param now: datetime
MATCH (c:Cluster)
WHERE coalesce(c.run_id, '') <> $run_id
SET c.retired_at = CASE WHEN coalesce(c.retired, false) THEN c.retired_at ELSE $now END,
    c.retired = true,
    c.size = 0,
    c.run_id = $run_id
RETURN count(c) AS retired
