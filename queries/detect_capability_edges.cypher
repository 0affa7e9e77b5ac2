// name: detect_capability_edges
// description: Detection input, account to capability edges: the relationships of some Capability nodes (a chunk of detect_capability_nodes) as parallel lists in one row (account node id, Capability node id, requests, first/last seen in epoch seconds); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:Capability)<-[r:USED_CAPABILITY]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(coalesce(r.requests, 0)) AS requests,
       collect(coalesce(toFloat(r.first_seen.epochSeconds), 0.0 / 0.0)) AS first_s,
       collect(coalesce(toFloat(r.last_seen.epochSeconds), 0.0 / 0.0)) AS last_s
