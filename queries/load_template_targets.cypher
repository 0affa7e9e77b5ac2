// name: load_template_targets
// description: Add request counts of each (template, capability) pair to TARGETS.
// mode: write
// param rows: list[map] {template_id: str, capability: str, requests: int}
UNWIND $rows AS row
MERGE (t:PromptTemplate {template_id: row.template_id})
MERGE (c:Capability {name: row.capability})
MERGE (t)-[r:TARGETS]->(c)
SET r.requests = coalesce(r.requests, 0) + row.requests
