// name: detect_retire_clusters
// description: Clusters no longer found: delete those without case notes, keep the others marked retired (size 0) so the analyst's record survives.
// mode: write
// param keep: list[str]
MATCH (c:Cluster)
WHERE NOT c.cluster_id IN $keep
OPTIONAL MATCH (c)<-[:NOTE_ON]-(n:CaseNote)
WITH c, count(n) AS notes
FOREACH (_ IN CASE WHEN notes = 0 THEN [1] ELSE [] END | DETACH DELETE c)
FOREACH (_ IN CASE WHEN notes > 0 THEN [1] ELSE [] END | SET c.retired = true, c.size = 0)
RETURN count(*) AS retired
