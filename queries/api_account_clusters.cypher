// name: api_account_clusters
// description: The clusters each requested account is a member of, with the membership weight (strongest cluster first, at most $limit).
// mode: read
// param ids: list[str]
// param limit: int
UNWIND $ids AS id
MATCH (a:Account {account_id: id})
CALL (a) {
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, m ORDER BY c.score DESC, c.cluster_id
  LIMIT $limit
  RETURN collect({weight: m.weight,
                  cluster: c {.cluster_id, .size, .score, .verdict, .evidence, .signals, .first_seen,
                              .last_seen, .detected_at, .case_status, .capabilities,
                              .proxy_networks}}) AS memberships
}
RETURN id AS account_id, memberships
