// name: load_account_activity_read
// description: The stored activity lists of some accounts (read inside the loader's write transaction to merge new buckets into them).
// mode: read
// param ids: list[str]
UNWIND $ids AS id
MATCH (a:Account {account_id: id})
WHERE a.activity_buckets IS NOT NULL
RETURN a.account_id AS account_id, a.activity_buckets AS buckets, a.activity_counts AS counts
