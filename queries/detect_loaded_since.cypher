// name: detect_loaded_since
// description: The input files loaded since a time (all of them when $since is null): how many, their rows, loaded and quarantined rows, per table, and their ids (content hashes, no names).
// mode: read
// param since: datetime | None
MATCH (f:LoadedFile)
WHERE $since IS NULL OR f.loaded_at >= $since
WITH f ORDER BY f.loaded_at, f.file_id
RETURN count(f) AS files, coalesce(sum(f.rows), 0) AS rows, coalesce(sum(f.loaded), 0) AS loaded,
       coalesce(sum(f.quarantined), 0) AS quarantined, collect(DISTINCT f.table) AS tables,
       collect(f.file_id)[0..100] AS file_ids
