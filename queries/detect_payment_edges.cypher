// name: detect_payment_edges
// description: Account to payment-method edges with the method's kind (detection input); with a window end ($window_end, epoch seconds), only methods added before it.
// mode: read
// param window_end: float | None
MATCH (a:Account)-[r:PAID_WITH]->(p:PaymentMethod)
WHERE $window_end IS NULL OR r.added_at IS NULL OR r.added_at.epochSeconds < $window_end
RETURN a.account_id AS account_id, p.fingerprint AS identifier, 1 AS requests,
       coalesce(p.kind, 'unknown') AS kind
