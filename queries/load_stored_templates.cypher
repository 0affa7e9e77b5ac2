// name: load_stored_templates
// description: Every stored prompt template's skeleton and LSH band keys, to match a new load's templates to them.
// mode: read
MATCH (t:PromptTemplate)
WHERE t.band_keys IS NOT NULL
RETURN t.template_id AS template_id, t.skeleton AS skeleton, t.band_keys AS band_keys,
       t.first_file_id AS first_file_id
