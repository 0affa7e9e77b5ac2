// name: db_delete_relationships
// description: Delete every relationship, $batch per transaction, before the nodes: a batch of nodes detached together can carry millions of relationships (an account with a template per request), which no node batch bounds.
// mode: autocommit
// param batch: int
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS
