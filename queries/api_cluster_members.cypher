// name: api_cluster_members
// description: A page of member accounts (ordered by account_id, after a cursor; at most $limit) for each requested cluster, with the membership weight and the total member count. The page is the first $limit members past the cursor (a bounded top-k), not a sort of every member.
// mode: read
// param requests: list[{cluster_id: str, after: str | None}]
// param limit: int
UNWIND $requests AS request
MATCH (c:Cluster {cluster_id: request.cluster_id})
CALL (c) {
  MATCH (:Account)-[m:MEMBER_OF]->(c)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  RETURN count(m) AS total
}
CALL (c, request) {
  MATCH (a:Account)-[m:MEMBER_OF]->(c)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
    AND (request.after IS NULL OR a.account_id > request.after)
  WITH a, m
  ORDER BY a.account_id
  LIMIT $limit
  RETURN collect({account_id: a.account_id, weight: m.weight}) AS members
}
RETURN request.cluster_id AS cluster_id, request.after AS after, total, members
