// name: detect_ip_edges
// description: Detection input, account to IP edges (request log and signup): the relationships of some IP nodes (a chunk of detect_ip_nodes) as parallel lists in one row (account node id, IP node id, requests, first/last seen in epoch seconds, NaN for a signup IP); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:IP)<-[r:USED_IP|SIGNED_UP_FROM]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(coalesce(r.requests, 0)) AS requests,
       collect(coalesce(toFloat(r.first_seen.epochSeconds), 0.0 / 0.0)) AS first_s,
       collect(coalesce(toFloat(r.last_seen.epochSeconds), 0.0 / 0.0)) AS last_s
