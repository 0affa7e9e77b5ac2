// name: db_count_nodes
// description: How many nodes the graph holds (from the count store).
// mode: read
MATCH (n)
RETURN count(n) AS n
