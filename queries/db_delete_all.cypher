// name: db_delete_all
// description: Delete every node and relationship, $batch nodes per transaction (one huge transaction would exhaust the heap); the schema stays.
// mode: autocommit
// param batch: int
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS
