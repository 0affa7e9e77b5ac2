// name: load_ledger_mark_file
// description: Record an input file as fully loaded (after all its batches and the IP resolution are in).
// mode: write
// param file_id: str
// param name: str
// param table: str
// param rows: int
// param loaded: int
// param quarantined: int
MERGE (f:LoadedFile {file_id: $file_id})
  ON CREATE SET f.name = $name, f.table = $table, f.rows = $rows, f.loaded = $loaded,
                f.quarantined = $quarantined, f.loaded_at = datetime()
