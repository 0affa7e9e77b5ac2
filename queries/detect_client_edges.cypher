// name: detect_client_edges
// description: Detection input, account to API-client fingerprint edges: the relationships of some ClientFingerprint nodes (a chunk of detect_client_nodes) as parallel lists in one row (account node id, ClientFingerprint node id, requests, first/last seen in epoch seconds); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:ClientFingerprint)<-[r:USED_CLIENT]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(coalesce(r.requests, 0)) AS requests,
       collect(coalesce(toFloat(r.first_seen.epochSeconds), 0.0 / 0.0)) AS first_s,
       collect(coalesce(toFloat(r.last_seen.epochSeconds), 0.0 / 0.0)) AS last_s
