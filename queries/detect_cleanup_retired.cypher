// name: detect_cleanup_retired
// description: Delete up to $limit retired clusters that carry no case notes (their history stays in ClusterSnapshot nodes); retired clusters with notes are kept for the analyst's record.
// mode: write
// param limit: int
MATCH (c:Cluster)
WHERE c.retired AND NOT EXISTS { (c)<-[:NOTE_ON]-(:CaseNote) }
WITH c LIMIT $limit
DETACH DELETE c
RETURN count(*) AS deleted
