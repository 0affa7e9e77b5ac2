// name: api_cluster_timeline
// description: A cluster's activity timeline: the sum of its current members' activity_buckets/activity_counts (stored on the cluster by the detection run that found it; summed from the members when it is not) per time step of $step_minutes (the bucket size or a coarser one), as (start epoch seconds, requests); only buckets in [from_bucket, to_bucket) when those are given.
// mode: read
// param requests: list[{cluster_id: str, step_minutes: int, from_bucket: int | None, to_bucket: int | None}]
// param bucket_minutes: int
UNWIND $requests AS request
MATCH (c:Cluster {cluster_id: request.cluster_id})
CALL (c, request) {
  CALL (c) {
    WITH c WHERE c.activity_buckets IS NOT NULL
    RETURN c.activity_buckets AS buckets, c.activity_counts AS counts
    UNION ALL
    WITH c WHERE c.activity_buckets IS NULL
    MATCH (c)<-[m:MEMBER_OF]-(a:Account)
    WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
    RETURN coalesce(a.activity_buckets, []) AS buckets, coalesce(a.activity_counts, []) AS counts
  }
  UNWIND range(0, size(buckets) - 1) AS i
  WITH buckets[i] AS bucket, counts[i] AS requests
  WHERE (request.from_bucket IS NULL OR bucket >= request.from_bucket)
    AND (request.to_bucket IS NULL OR bucket < request.to_bucket)
  WITH (bucket * $bucket_minutes) / request.step_minutes AS step, requests
  WITH step, sum(requests) AS requests
  ORDER BY step
  RETURN collect({start: step * request.step_minutes * 60, requests: requests}) AS points
}
RETURN request.cluster_id AS cluster_id, request.step_minutes AS step_minutes, request.from_bucket AS from_bucket,
       request.to_bucket AS to_bucket, points
