// name: api_case_update
// description: Set a cluster's case assignee, priority and ticket link (each only when its $set_… flag is true; null clears it) and record every field that changed as one CaseNote in the case history (who: key name, key id and role; when; the field; its value before and after). Unchanged fields write nothing. Idempotent per $note_id, so a retried transaction writes the same notes.
// mode: write
// param cluster_id: str
// param note_id: str
// param set_assignee: bool
// param assignee: str | None
// param set_priority: bool
// param priority: str | None
// param set_ticket_url: bool
// param ticket_url: str | None
// param author: str
// param author_key_id: str | None
// param author_role: str
// param now: datetime
MATCH (c:Cluster {cluster_id: $cluster_id})
WITH c, [change IN [
       {field: 'ASSIGNEE', wanted: $set_assignee, before: c.case_assignee, after: $assignee},
       {field: 'PRIORITY', wanted: $set_priority, before: c.case_priority, after: $priority},
       {field: 'TICKET_URL', wanted: $set_ticket_url, before: c.case_ticket_url, after: $ticket_url}]
     WHERE change.wanted AND coalesce(change.before, '') <> coalesce(change.after, '')] AS changes
CALL (c, changes) {
  UNWIND changes AS change
  MERGE (n:CaseNote {note_id: $note_id + '/' + change.field})
    ON CREATE SET n.text = toLower(replace(change.field, '_', ' ')) + ' changed', n.author = $author,
                  n.author_key_id = $author_key_id, n.author_role = $author_role, n.created_at = $now,
                  n.field = change.field, n.before = change.before, n.after = change.after
  MERGE (n)-[:NOTE_ON]->(c)
  RETURN collect(n {.note_id, .text, .author, .author_role, .created_at, .status, .previous_status, .field,
                    .before, .after}) AS notes
}
SET c.case_assignee = CASE WHEN $set_assignee THEN $assignee ELSE c.case_assignee END,
    c.case_priority = CASE WHEN $set_priority THEN $priority ELSE c.case_priority END,
    c.case_ticket_url = CASE WHEN $set_ticket_url THEN $ticket_url ELSE c.case_ticket_url END,
    c.case_updated_at = CASE WHEN size(notes) > 0 THEN $now ELSE c.case_updated_at END,
    c.case_status = coalesce(c.case_status, 'OPEN')
RETURN notes
