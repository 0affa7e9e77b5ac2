// name: load_templates
// description: Upsert prompt templates: skeleton and LSH band keys on creation (first_file_id records which input file created it, for deterministic resumes), request counts added.
// mode: write
// param rows: list[map] {template_id: str, skeleton: str or null, band_keys: list[str] or null, requests: int}
// param file_id: str
UNWIND $rows AS row
MERGE (t:PromptTemplate {template_id: row.template_id})
  ON CREATE SET t.skeleton = row.skeleton, t.band_keys = row.band_keys, t.first_file_id = $file_id
SET t.requests = coalesce(t.requests, 0) + row.requests
