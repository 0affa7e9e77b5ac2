// name: detect_account_activity
// description: Detection input: the activity lists (bucket index, requests) of some accounts (a chunk of detect_accounts' node ids), as parallel lists in one row.
// mode: read
// param node_ids: list[int]
UNWIND $node_ids AS node_id
MATCH (a:Account)
WHERE id(a) = node_id
RETURN collect(node_id) AS node_ids, collect(coalesce(a.activity_buckets, [])) AS buckets,
       collect(coalesce(a.activity_counts, [])) AS counts
