// name: api_case_set_status
// description: Set a cluster's case status and record the change in its case history as a CaseNote (who: key name, key id and role; when; why: the reason; the status before and after). A change into or out of CONFIRMED or DISMISSED needs a reason (refusal REASON_REQUIRED); one that weakens automated checks (dismissing, or withdrawing a confirmation) needs $may_weaken (refusal FORBIDDEN). A refused change writes nothing. Idempotent per $note_id, so a retried transaction writes one note.
// mode: write
// param cluster_id: str
// param status: str
// param note_id: str
// param reason: str | None
// param author: str
// param author_key_id: str | None
// param author_role: str
// param may_weaken: bool
// param now: datetime
MATCH (c:Cluster {cluster_id: $cluster_id})
WITH c, coalesce(c.case_status, 'OPEN') AS previous
WITH c, previous,
     ($status = 'DISMISSED' AND previous <> 'DISMISSED') OR (previous = 'CONFIRMED' AND $status <> 'CONFIRMED')
       AS weakens,
     $status <> previous AND ($status IN ['CONFIRMED', 'DISMISSED'] OR previous IN ['CONFIRMED', 'DISMISSED'])
       AS decisive
WITH c, previous,
     CASE WHEN weakens AND NOT $may_weaken THEN 'FORBIDDEN'
          WHEN decisive AND $reason IS NULL THEN 'REASON_REQUIRED' END AS refusal
OPTIONAL CALL (c, previous, refusal) {
  WITH c, previous, refusal WHERE refusal IS NULL
  MERGE (n:CaseNote {note_id: $note_id})
    ON CREATE SET n.text = coalesce($reason, 'status set to ' + $status), n.author = $author,
                  n.author_key_id = $author_key_id, n.author_role = $author_role, n.created_at = $now,
                  n.status = $status, n.previous_status = previous
  MERGE (n)-[:NOTE_ON]->(c)
  SET c.case_status = $status, c.case_updated_at = $now
  RETURN n
}
RETURN previous, refusal,
       n {.note_id, .text, .author, .author_role, .created_at, .status, .previous_status} AS note
