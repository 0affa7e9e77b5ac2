// name: detect_cleanup_mark
// description: Record that a run's leftovers are cleaned.
// mode: write
// param run_id: str
// param now: datetime
MATCH (r:DetectionRun {run_id: $run_id})
SET r.cleaned_at = $now
RETURN r.run_id AS run_id
