// name: api_cluster_notes
// description: The case notes and status changes of each requested cluster, newest first (at most $limit per cluster).
// mode: read
// param ids: list[str]
// param limit: int
UNWIND $ids AS id
MATCH (c:Cluster {cluster_id: id})
CALL (c) {
  MATCH (n:CaseNote)-[:NOTE_ON]->(c)
  WITH n ORDER BY n.created_at DESC, n.note_id
  LIMIT $limit
  RETURN collect(n {.note_id, .text, .author, .author_role, .created_at, .status, .previous_status}) AS notes
}
RETURN id AS cluster_id, notes
