// name: api_cluster_members
// description: A page of member accounts (ordered by account_id, after a cursor) for each requested cluster, with the membership weight and the total member count.
// mode: read
// param requests: list[{cluster_id: str, after: str | None, limit: int}]
UNWIND $requests AS request
MATCH (c:Cluster {cluster_id: request.cluster_id})
CALL (c, request) {
  MATCH (a:Account)-[m:MEMBER_OF]->(c)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH a, m ORDER BY a.account_id
  WITH collect({account_id: a.account_id, weight: m.weight}) AS everyone
  RETURN size(everyone) AS total,
         [member IN everyone
          WHERE request.after IS NULL OR member.account_id > request.after][0..request.limit] AS members
}
RETURN request.cluster_id AS cluster_id, request.after AS after, request.limit AS limit, total, members
