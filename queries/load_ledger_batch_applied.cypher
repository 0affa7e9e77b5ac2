// name: load_ledger_batch_applied
// description: Whether one loader batch is already applied (checked inside the batch's own transaction, so a retried transaction never applies a batch twice).
// mode: read
// param batch_id: str
OPTIONAL MATCH (b:LoadBatch {batch_id: $batch_id})
RETURN b IS NOT NULL AS applied
