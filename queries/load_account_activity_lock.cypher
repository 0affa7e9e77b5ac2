// name: load_account_activity_lock
// description: Inside the loader's write transaction, before it merges new activity buckets: create the batch's missing accounts and take each account's write lock (set and remove a marker property), then return the stored activity lists. The locks last until the batch commits, so a concurrent load of another folder waits and then reads the merged lists instead of overwriting them.
// mode: write
// param ids: list[str] (sorted, so concurrent batches lock accounts in the same order)
UNWIND $ids AS id
MERGE (a:Account {account_id: id})
SET a._activity_lock = true
REMOVE a._activity_lock
RETURN a.account_id AS account_id, a.activity_buckets AS buckets, a.activity_counts AS counts
