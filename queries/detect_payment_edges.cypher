// name: detect_payment_edges
// description: Detection input, account to payment-method edges: the relationships of some PaymentMethod nodes (a chunk of detect_payment_nodes) as parallel lists in one row (account node id, PaymentMethod node id, requests, added_at in epoch seconds); a time window is applied by the reader.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (x:PaymentMethod)<-[r:PAID_WITH]-(a:Account)
WHERE id(x) = node_id
RETURN collect(id(a)) AS accounts,
       collect(node_id) AS idents,
       collect(1) AS requests,
       collect(coalesce(toFloat(r.added_at.epochSeconds), 0.0 / 0.0)) AS added_s
