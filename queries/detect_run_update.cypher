// name: detect_run_update
// description: Add facts to a detection run (counts, timings, changes), leaving its status alone.
// mode: write
// param run_id: str
// param properties: map
MATCH (r:DetectionRun {run_id: $run_id})
SET r += $properties
RETURN r.run_id AS run_id
