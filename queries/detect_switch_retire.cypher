// name: detect_switch_retire
// description: Switch, step 4: clusters the run did not find point at the run too (so none of their older memberships counts) and are marked retired with size 0 (growth: minus the size they had; changed_at: now, once); the cleanup later deletes those without case notes.
// mode: write
// param run_id: str
// param now: datetime
MATCH (c:Cluster)
WHERE coalesce(c.run_id, '') <> $run_id
WITH c, coalesce(c.retired, false) AS was_retired
SET c.retired_at = CASE WHEN was_retired THEN c.retired_at ELSE $now END,
    c.changed_at = CASE WHEN was_retired THEN c.changed_at ELSE $now END,
    c.growth = CASE WHEN was_retired THEN 0 ELSE -coalesce(c.size, 0) END,
    c.retired = true,
    c.size = 0,
    c.run_id = $run_id
RETURN count(c) AS retired
