// name: detect_model_edges
// description: Detection input, account to model edges: the relationships of some Model nodes (a chunk of detect_model_nodes) as parallel lists in one row (account node id, Model node id, requests, first/last seen in epoch seconds, the account's first use); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:Model)<-[r:USED_MODEL]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(coalesce(r.requests, 0)) AS requests,
       collect(coalesce(toFloat(r.first_seen.epochSeconds), 0.0 / 0.0)) AS first_s,
       collect(coalesce(toFloat(r.last_seen.epochSeconds), 0.0 / 0.0)) AS last_s,
       collect(CASE WHEN r.first_seen IS :: ZONED DATETIME
                    THEN toFloat(r.first_seen.epochSeconds * 1000000 + r.first_seen.nanosecond / 1000) / 1000000.0
                    WHEN r.first_seen IS :: INTEGER OR r.first_seen IS :: FLOAT THEN toFloat(r.first_seen)
                    ELSE 0.0 / 0.0 END) AS first_seen
