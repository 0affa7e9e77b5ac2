// name: load_ledger_batches
// description: The loader's applied batches of one input file (ids start with the file's id), to resume after a crash.
// mode: read
// param prefix: str
MATCH (b:LoadBatch)
WHERE b.batch_id STARTS WITH $prefix
RETURN b.batch_id AS batch_id, b.batch_size AS batch_size
