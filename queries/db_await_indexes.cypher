// name: db_await_indexes
// description: Wait until every index is online (after the schema statements; up to 300 seconds).
// mode: autocommit
CALL db.awaitIndexes(300)
