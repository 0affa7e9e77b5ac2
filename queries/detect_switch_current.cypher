// name: detect_switch_current
// description: Switch, step 2 (read after the locks of step 1): the runs in force now.
// mode: read
MATCH (r:DetectionRun {status: 'current'})
RETURN collect(r.run_id) AS current
