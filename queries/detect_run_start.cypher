// name: detect_run_start
// description: Record a new detection run in status writing (its results are invisible until the switch); runs still marked writing were interrupted and become abandoned, so their leftovers are cleaned and they can never switch.
// mode: write
// param run_id: str
// param properties: map
// param now: datetime
OPTIONAL MATCH (old:DetectionRun {status: 'writing'})
WHERE old.run_id <> $run_id
SET old.status = 'abandoned', old.abandoned_at = $now
WITH collect(old.run_id) AS abandoned
MERGE (r:DetectionRun {run_id: $run_id})
SET r += $properties, r.status = 'writing'
RETURN abandoned
