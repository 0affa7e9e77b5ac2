// name: export_cluster_members
// description: Every member of the live clusters that pass the filters, with its cluster's score, verdict and case status, in a stable order (`linkage export clusters`). A null filter lets everything through; a cluster without a case is OPEN.
// mode: read
// param verdicts: list[str] | None
// param case_statuses: list[str] | None
// param min_score: float | None
MATCH (c:Cluster)
WHERE coalesce(c.retired, false) = false
  AND ($verdicts IS NULL OR c.verdict IN $verdicts)
  AND ($case_statuses IS NULL OR coalesce(c.case_status, 'OPEN') IN $case_statuses)
  AND ($min_score IS NULL OR c.score >= $min_score)
MATCH (a:Account)-[m:MEMBER_OF]->(c)
WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
RETURN c.cluster_id AS cluster_id, a.account_id AS account_id, c.score AS score, c.verdict AS verdict,
       coalesce(c.case_status, 'OPEN') AS case_status
ORDER BY cluster_id, account_id
