// name: detect_stage_members
// description: Link member accounts to their clusters for one run (MEMBER_OF with the run's id); readers count a membership only when its run_id equals its cluster's, which the switch sets.
// mode: write
// param run_id: str
// param rows: list[map]
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
CALL (row) {
  MATCH (c:Cluster {cluster_id: row.cluster_id}) RETURN c
  UNION
  MATCH (c:PendingCluster {cluster_id: row.cluster_id}) RETURN c
}
MERGE (a)-[m:MEMBER_OF {run_id: $run_id}]->(c)
SET m.weight = row.weight
RETURN count(*) AS written
