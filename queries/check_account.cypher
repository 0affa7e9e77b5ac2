// name: check_account
// description: Linkage check of an account already in the graph: its own cluster memberships, and for each identifier it uses (relationship types in $rel_types, at most $max_identifiers) how many other accounts share it and the clusters those accounts belong to; identifiers with more than $expand_cap connections are counted but not expanded; the others are expanded once, for both the count and the clusters. Same-email twins (email_hash) count as one identifier.
// mode: read
// param account_id: str
// param rel_types: list[str]
// param max_identifiers: int
// param expand_cap: int
// param max_clusters: int
MATCH (a:Account {account_id: $account_id})
CALL (a) {
  OPTIONAL MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, m ORDER BY c.score DESC, c.cluster_id
  RETURN collect(c {.cluster_id, .verdict, .score, .size, .case_status, weight: m.weight}) AS own_clusters
}
CALL (a) {
  OPTIONAL MATCH (a)-[r]->(x)
  WHERE type(r) IN $rel_types
  WITH DISTINCT x LIMIT $max_identifiers
  WITH x, COUNT { (x)<--() } AS degree
  CALL (a, x, degree) {
    OPTIONAL MATCH (x)<--(o:Account) WHERE degree <= $expand_cap AND o <> a
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
  RETURN collect(CASE WHEN x IS NULL THEN null ELSE
                 {label: labels(x)[0], value: coalesce(x.fingerprint, x.address, x.domain, x.key_id, x.template_id),
                  degree: degree,
                  shared_by: CASE WHEN degree <= $expand_cap THEN sharers ELSE degree - 1 END,
                  clusters: clusters} END) AS identifiers
}
CALL (a) {
  OPTIONAL MATCH (o:Account {email_hash: a.email_hash}) WHERE o <> a
  RETURN count(DISTINCT o) AS email_sharers
}
CALL (a) {
  OPTIONAL MATCH (o:Account {email_hash: a.email_hash})-[m:MEMBER_OF]->(c:Cluster)
  WHERE o <> a AND coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, count(DISTINCT o) AS accounts WHERE c IS NOT NULL
  ORDER BY c.score DESC, c.cluster_id
  LIMIT $max_clusters
  RETURN collect({cluster_id: c.cluster_id, verdict: c.verdict, score: c.score, size: c.size,
                  case_status: c.case_status, accounts: accounts}) AS email_clusters
}
RETURN a.account_id AS account_id, own_clusters,
       identifiers + CASE WHEN email_sharers > 0
                          THEN [{label: 'Email', value: a.email_hash, degree: email_sharers + 1,
                                 shared_by: email_sharers, clusters: email_clusters}]
                          ELSE [] END AS identifiers
