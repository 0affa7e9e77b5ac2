// name: detect_switch_lock
// description: Switch, step 1: lock the run and the run in force (concurrent switches queue here), then report the run's status, which run is now current and how many memberships the run staged, so the switch goes ahead only for a complete run that still follows the run it started from.
// mode: write
// param run_id: str
MATCH (r:DetectionRun {run_id: $run_id})
SET r.switch_started_at = datetime()
WITH r
OPTIONAL MATCH (current:DetectionRun {status: 'current'})
SET current.switch_requested_by = $run_id
WITH r, collect(current.run_id) AS current
RETURN r.status AS status, current,
       COUNT { ()-[m:MEMBER_OF {run_id: $run_id}]->() } AS staged_members,
       COUNT { (s:ClusterSnapshot {run_id: $run_id}) WHERE s.found } AS staged_clusters
