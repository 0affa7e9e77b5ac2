// name: api_cluster_by_ids
// description: Clusters by id in one round trip (the API's cluster DataLoader); unknown ids return no row.
// mode: read
// param ids: list[str]
UNWIND $ids AS id
MATCH (c:Cluster {cluster_id: id})
RETURN c {.cluster_id, .size, .score, .verdict, .evidence, .signals, .first_seen, .last_seen, .detected_at,
          .case_status, .capabilities, .proxy_networks,
          .case_assignee, .case_priority, .case_ticket_url, .case_updated_at, .growth,
          .changed_at, .retired} AS cluster
