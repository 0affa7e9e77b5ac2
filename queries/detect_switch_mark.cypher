// name: detect_switch_mark
// description: Switch, step 5: the run becomes current and the one before it superseded (its memberships are then left for the cleanup).
// mode: write
// param run_id: str
// param now: datetime
MATCH (r:DetectionRun {run_id: $run_id})
OPTIONAL MATCH (old:DetectionRun {status: 'current'})
WHERE old.run_id <> $run_id
SET old.status = 'superseded', old.superseded_at = $now, old.cleaned_at = null
WITH r, count(old) AS superseded
SET r.status = 'current', r.switched_at = $now
RETURN superseded
