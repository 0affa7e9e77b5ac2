// name: detect_cleanup_runs
// description: Runs whose leftovers are not cleaned yet: superseded ones (their memberships), abandoned and failed ones (memberships, snapshots, pending clusters) and the current one (its snapshots' evidence, which the Cluster nodes now hold).
// mode: read
MATCH (r:DetectionRun)
WHERE r.status IN ['current', 'superseded', 'abandoned', 'failed'] AND r.cleaned_at IS NULL
RETURN r.run_id AS run_id, r.status AS status
ORDER BY r.started_at
