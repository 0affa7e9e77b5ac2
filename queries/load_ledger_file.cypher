// name: load_ledger_file
// description: Whether an input file (by the SHA-256 of its content) is already fully loaded.
// mode: read
// param file_id: str
OPTIONAL MATCH (f:LoadedFile {file_id: $file_id})
RETURN f IS NOT NULL AS loaded
