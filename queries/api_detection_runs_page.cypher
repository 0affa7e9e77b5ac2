// name: api_detection_runs_page
// description: One page of detection runs, newest first (by start time, then run id), keyset-paginated after ($after_key epoch ms, $after_id); optionally only runs of one status.
// mode: read
// param status: str | None
// param after_key: float | None
// param after_id: str | None
// param limit: int
MATCH (r:DetectionRun)
WHERE $status IS NULL OR r.status = $status
WITH r, toFloat(r.started_at.epochMillis) AS sort_key
WHERE $after_key IS NULL OR sort_key < $after_key OR (sort_key = $after_key AND r.run_id > $after_id)
RETURN r {.*} AS run, sort_key
ORDER BY sort_key DESC, r.run_id ASC
LIMIT $limit
