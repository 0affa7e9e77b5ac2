// name: detect_run_current
// description: The detection run whose results are in force (status current), or no row before the first run.
// mode: read
MATCH (r:DetectionRun {status: 'current'})
RETURN r {.*} AS run
ORDER BY r.switched_at DESC
LIMIT 1
