// name: detect_payment_edges
// description: Account to payment-method edges with the method's kind (detection input).
// mode: read
MATCH (a:Account)-[:PAID_WITH]->(p:PaymentMethod)
RETURN a.account_id AS account_id, p.fingerprint AS identifier, 1 AS requests,
       coalesce(p.kind, 'unknown') AS kind
