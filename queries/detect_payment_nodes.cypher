// name: detect_payment_nodes
// description: Detection input, account to payment-method edges: every PaymentMethod that has one, as parallel lists in one row (fingerprint, kind, node id, degree for chunking).
// mode: read
MATCH (x:PaymentMethod)
WHERE x.fingerprint IS NOT NULL
WITH x, COUNT { (x)<-[:PAID_WITH]-(:Account) } AS degree
WHERE degree > 0
RETURN collect(id(x)) AS node_ids, collect(x.fingerprint) AS names, collect(degree) AS degrees,
       collect(coalesce(x.kind, 'unknown')) AS kind
