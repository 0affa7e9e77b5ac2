// name: detect_key_edges
// description: Detection input, account to API-key edges: the relationships of some ApiKey nodes (a chunk of detect_key_nodes) as parallel lists in one row (account node id, ApiKey node id, requests, first/last seen in epoch seconds); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:ApiKey)<-[r:USED_KEY]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(coalesce(r.requests, 0)) AS requests,
       collect(coalesce(toFloat(r.first_seen.epochSeconds), 0.0 / 0.0)) AS first_s,
       collect(coalesce(toFloat(r.last_seen.epochSeconds), 0.0 / 0.0)) AS last_s
