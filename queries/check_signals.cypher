// name: check_signals
// description: Linkage check of a signup not yet in the graph: for each raw signal (payment fingerprint, IP, client fingerprint, email domain, email hash) that exists in the graph, how many accounts share it and the clusters those accounts belong to. Identifiers with more than $expand_cap connections are counted but not expanded; the others are expanded once, for both the count and the clusters.
// mode: read
// param payment_fingerprint: str | None
// param ip: str | None
// param client_fingerprint: str | None
// param email_domain: str | None
// param email_hash: str | None
// param expand_cap: int
// param max_clusters: int
CALL () {
  MATCH (x:PaymentMethod {fingerprint: $payment_fingerprint}) RETURN x
  UNION
  MATCH (x:IP {address: $ip}) RETURN x
  UNION
  MATCH (x:ClientFingerprint {fingerprint: $client_fingerprint}) RETURN x
  UNION
  MATCH (x:EmailDomain {domain: $email_domain}) RETURN x
}
WITH x, COUNT { (x)<--() } AS degree
CALL (x, degree) {
  OPTIONAL MATCH (x)<--(o:Account) WHERE degree <= $expand_cap
  WITH collect(DISTINCT o) AS sharing
  CALL (sharing) {
    UNWIND sharing AS o
    MATCH (o)-[m:MEMBER_OF]->(c:Cluster)
    WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
    WITH c, count(DISTINCT o) AS accounts
    ORDER BY c.score DESC, c.cluster_id
    LIMIT $max_clusters
    RETURN collect({cluster_id: c.cluster_id, verdict: c.verdict, score: c.score, size: c.size,
                    case_status: c.case_status, accounts: accounts}) AS clusters
  }
  RETURN size(sharing) AS sharers, clusters
}
RETURN labels(x)[0] AS label,
       coalesce(x.fingerprint, x.address, x.domain) AS value,
       degree,
       CASE WHEN degree <= $expand_cap THEN sharers ELSE degree END AS shared_by,
       clusters
UNION ALL
CALL () {
  MATCH (o:Account {email_hash: $email_hash}) RETURN count(o) AS sharers
}
CALL () {
  MATCH (o:Account {email_hash: $email_hash})-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, count(DISTINCT o) AS accounts
  ORDER BY c.score DESC, c.cluster_id
  LIMIT $max_clusters
  RETURN collect({cluster_id: c.cluster_id, verdict: c.verdict, score: c.score, size: c.size,
                  case_status: c.case_status, accounts: accounts}) AS clusters
}
WITH sharers, clusters WHERE sharers > 0
RETURN 'Email' AS label, $email_hash AS value, sharers AS degree, sharers AS shared_by, clusters
