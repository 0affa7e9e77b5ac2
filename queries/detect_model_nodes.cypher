// name: detect_model_nodes
// description: Detection input, account to model edges: every Model that has one, as parallel lists in one row (name, the model's first appearance in the log, node id, degree for chunking).
// mode: read
MATCH (x:Model)
WHERE x.name IS NOT NULL
WITH x, COUNT { (x)<-[:USED_MODEL]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.name) AS names, collect(degree) AS degrees,
       collect(CASE WHEN x.first_seen IS :: ZONED DATETIME
                    THEN toFloat(x.first_seen.epochSeconds * 1000000 + x.first_seen.nanosecond / 1000) / 1000000.0
                    WHEN x.first_seen IS :: INTEGER OR x.first_seen IS :: FLOAT THEN toFloat(x.first_seen)
                    ELSE 0.0 / 0.0 END) AS model_first_seen
