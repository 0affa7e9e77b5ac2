// name: detect_write_members
// description: Link member accounts to their clusters.
// mode: write
// param rows: list[map]
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (c:Cluster {cluster_id: row.cluster_id})
CREATE (a)-[:MEMBER_OF {weight: row.weight}]->(c)
RETURN count(*) AS written
