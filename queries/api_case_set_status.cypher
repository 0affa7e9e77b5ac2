// name: api_case_set_status
// description: Set a cluster's case status and record the change as a CaseNote (who, when, the optional note); idempotent per $note_id, so a retried transaction writes one note.
// mode: write
// param cluster_id: str
// param status: str
// param note_id: str
// param text: str
// param author: str
// param now: datetime
MATCH (c:Cluster {cluster_id: $cluster_id})
MERGE (n:CaseNote {note_id: $note_id})
  ON CREATE SET n.text = $text, n.author = $author, n.created_at = $now, n.status = $status
MERGE (n)-[:NOTE_ON]->(c)
SET c.case_status = $status
RETURN n {.note_id, .text, .author, .created_at, .status} AS note
