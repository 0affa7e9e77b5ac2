// name: api_case_add_note
// description: Add an analyst's note to a cluster's case history as a CaseNote (who: key name, key id and role; when); idempotent per $note_id, so a retried transaction writes one note.
// mode: write
// param cluster_id: str
// param note_id: str
// param text: str
// param author: str
// param author_key_id: str | None
// param author_role: str
// param now: datetime
MATCH (c:Cluster {cluster_id: $cluster_id})
MERGE (n:CaseNote {note_id: $note_id})
  ON CREATE SET n.text = $text, n.author = $author, n.author_key_id = $author_key_id,
                n.author_role = $author_role, n.created_at = $now
MERGE (n)-[:NOTE_ON]->(c)
RETURN n {.note_id, .text, .author, .author_role, .created_at, .status, .previous_status} AS note
