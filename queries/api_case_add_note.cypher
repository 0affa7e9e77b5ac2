// name: api_case_add_note
// description: Add an analyst's note to a cluster as a CaseNote (who, when); idempotent per $note_id, so a retried transaction writes one note.
// mode: write
// param cluster_id: str
// param note_id: str
// param text: str
// param author: str
// param now: datetime
MATCH (c:Cluster {cluster_id: $cluster_id})
MERGE (n:CaseNote {note_id: $note_id})
  ON CREATE SET n.text = $text, n.author = $author, n.created_at = $now
MERGE (n)-[:NOTE_ON]->(c)
RETURN n {.note_id, .text, .author, .created_at, .status} AS note
