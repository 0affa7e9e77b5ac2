// name: export_stix_record
// description: Remember on the cluster that it was shared as STIX: the bundle and campaign ids, the TLP marking and when (the report shows them; the last export wins).
// mode: write
// param cluster_id: str
// param bundle_id: str
// param campaign_id: str
// param tlp: str
MATCH (c:Cluster {cluster_id: $cluster_id})
SET c.stix_bundle_id = $bundle_id, c.stix_campaign_id = $campaign_id, c.stix_tlp = $tlp,
    c.stix_exported_at = datetime()
RETURN c.cluster_id AS cluster_id
