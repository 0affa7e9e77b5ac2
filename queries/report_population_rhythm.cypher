// name: report_population_rhythm
// description: The population's rhythm beside a cluster's timeline: requests per step of $step_minutes in activity buckets [from_bucket, to_bucket) of accounts outside the cluster, from a random sample of about $sample accounts (all of them when there are fewer), with how many accounts were sampled.
// mode: read
// param cluster_id: str
// param step_minutes: int
// param bucket_minutes: int
// param from_bucket: int
// param to_bucket: int
// param sample: int
CALL () { MATCH (a:Account) RETURN count(a) AS total }
MATCH (a:Account)
WHERE a.activity_buckets IS NOT NULL AND rand() * total < $sample
  AND NOT EXISTS { (a)-[:MEMBER_OF]->(:Cluster {cluster_id: $cluster_id}) }
WITH collect(a) AS accounts
CALL (accounts) {
  UNWIND accounts AS a
  UNWIND range(0, size(a.activity_buckets) - 1) AS i
  WITH a.activity_buckets[i] AS bucket, a.activity_counts[i] AS requests
  WHERE bucket >= $from_bucket AND bucket < $to_bucket
  WITH (bucket * $bucket_minutes) / $step_minutes AS step, sum(requests) AS requests
  ORDER BY step
  RETURN collect({start: step * $step_minutes * 60, requests: requests}) AS points
}
RETURN size(accounts) AS sampled, points
