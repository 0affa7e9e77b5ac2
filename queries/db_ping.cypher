// name: db_ping
// description: The readiness probe: the server accepts our credentials and runs a query.
// mode: read
RETURN 1 AS ok
