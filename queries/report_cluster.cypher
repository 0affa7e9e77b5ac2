// name: report_cluster
// description: One cluster's stored properties (verdict, score, evidence, first/last seen, case, STIX export record) for its report.
// mode: read
// param cluster_id: str
MATCH (c:Cluster {cluster_id: $cluster_id})
RETURN c {.*} AS cluster
