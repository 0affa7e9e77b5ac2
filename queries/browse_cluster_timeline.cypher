// name: browse_cluster_timeline
// description: Neo4j Browser: a cluster's activity over time, as a table (no graph): per hour (per bucket when buckets are an hour or longer), the requests of all its members and how many of them were active, summed from their activity_buckets/activity_counts; earliest first, at most 5,000 rows. $bucket_minutes is LINKAGE_ACTIVITY_BUCKET_MINUTES (default 10). In Browser: :param cluster_id => 'cl_…' and :param bucket_minutes => 10
// mode: read
// param cluster_id: str
// param bucket_minutes: int
MATCH (c:Cluster {cluster_id: $cluster_id})<-[m:MEMBER_OF]-(a:Account)
WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
WITH a, coalesce(a.activity_buckets, []) AS buckets, coalesce(a.activity_counts, []) AS counts,
     CASE WHEN $bucket_minutes >= 60 THEN $bucket_minutes ELSE 60 END AS step_minutes
UNWIND range(0, size(buckets) - 1) AS i
WITH a, step_minutes, (buckets[i] * $bucket_minutes) / step_minutes AS step, counts[i] AS requests
WITH step_minutes, step, sum(requests) AS requests, count(DISTINCT a) AS active_members
RETURN datetime({epochSeconds: step * step_minutes * 60}) AS period_start, step_minutes AS minutes,
       requests, active_members
ORDER BY period_start
LIMIT 5000
