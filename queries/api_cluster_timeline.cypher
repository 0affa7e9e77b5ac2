// name: api_cluster_timeline
// description: A cluster's activity timeline: the sum of its members' activity_buckets/activity_counts per time step of $step_minutes (the bucket size or a coarser one), as (start epoch seconds, requests).
// mode: read
// param requests: list[{cluster_id: str, step_minutes: int}]
// param bucket_minutes: int
UNWIND $requests AS request
MATCH (c:Cluster {cluster_id: request.cluster_id})
CALL (c, request) {
  MATCH (c)<-[m:MEMBER_OF]-(a:Account)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH coalesce(a.activity_buckets, []) AS buckets, coalesce(a.activity_counts, []) AS counts
  UNWIND range(0, size(buckets) - 1) AS i
  WITH (buckets[i] * $bucket_minutes) / request.step_minutes AS step, counts[i] AS requests
  WITH step, sum(requests) AS requests
  ORDER BY step
  RETURN collect({start: step * request.step_minutes * 60, requests: requests}) AS points
}
RETURN request.cluster_id AS cluster_id, request.step_minutes AS step_minutes, points
