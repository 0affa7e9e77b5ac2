// name: load_ledger_mark_batch
// description: Record one applied loader batch, in the same transaction as its writes (exactly-once loading).
// mode: write
// param batch_id: str
// param file_id: str
// param step: str
// param index: int
// param rows: int
// param batch_size: int
CREATE (b:LoadBatch {batch_id: $batch_id})
SET b.file_id = $file_id, b.step = $step, b.index = $index, b.rows = $rows, b.batch_size = $batch_size,
    b.applied_at = datetime()
