// name: browse_account_lockstep
// description: Neo4j Browser: accounts active in lockstep with one account: among up to 1,000 fellow cluster members and up to 1,000 accounts sharing a non-hub identifier with it (at most 200 links), the 25 whose active time buckets (activity_buckets) overlap its own most (Jaccard of the bucket sets, at least 2 shared buckets), with their clusters. Synchronised bursts score high; accounts that take turns (load balancing) do not, by design. At most 76 nodes. In Browser: :param account_id => 'acct_…'
// mode: read
// param account_id: str
MATCH (a:Account {account_id: $account_id})
CALL (a) {
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)<-[n:MEMBER_OF]-(b:Account)
  WHERE b <> a AND coalesce(m.run_id, '') = coalesce(c.run_id, '')
    AND coalesce(n.run_id, '') = coalesce(c.run_id, '')
  RETURN b LIMIT 1000
  UNION
  MATCH (a)-[:PAID_WITH|SIGNED_UP_FROM|USED_IP|USED_KEY|USED_CLIENT|SENT_TEMPLATE|BELONGS_TO]->(x)
  WHERE COUNT { (x)<--() } <= 200
  MATCH (x)<-[:PAID_WITH|SIGNED_UP_FROM|USED_IP|USED_KEY|USED_CLIENT|SENT_TEMPLATE|BELONGS_TO]-(b:Account)
  WHERE b <> a
  RETURN DISTINCT b LIMIT 1000
}
WITH a, collect(DISTINCT b) AS candidates
// Group (account, bucket) rows by bucket: a hash join in plain Cypher, linear in the lists' total length.
UNWIND candidates + [a] AS x
UNWIND coalesce(x.activity_buckets, []) AS bucket
WITH a, bucket, max(CASE WHEN x = a THEN 1 ELSE 0 END) AS target_active,
     collect(CASE WHEN x <> a THEN x END) AS others
WHERE target_active = 1
UNWIND others AS b
WITH a, b, count(*) AS shared_buckets
WHERE shared_buckets >= 2
WITH a, b, shared_buckets,
     toFloat(shared_buckets) / (size(a.activity_buckets) + size(b.activity_buckets) - shared_buckets) AS jaccard
ORDER BY jaccard DESC, shared_buckets DESC, b.account_id
LIMIT 25
RETURN a AS account, b AS lockstep_account, shared_buckets, round(jaccard, 3) AS jaccard,
       size(a.activity_buckets) AS account_active_buckets, size(b.activity_buckets) AS their_active_buckets,
       COLLECT { MATCH p = (b)-[m:MEMBER_OF]->(c:Cluster)
                 WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
                 RETURN p LIMIT 2 } AS clusters
