// name: detect_run_fail
// description: A run that stopped before its switch: failed (an abandoned one stays abandoned), with the reason, and left for the cleanup.
// mode: write
// param run_id: str
// param reason: str
// param now: datetime
MATCH (r:DetectionRun {run_id: $run_id})
WHERE r.status IN ['writing', 'abandoned']
SET r.status = CASE WHEN r.status = 'writing' THEN 'failed' ELSE r.status END,
    r.failure = $reason, r.failed_at = $now, r.cleaned_at = null
RETURN r.status AS status
