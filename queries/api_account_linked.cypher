// name: api_account_linked
// description: Accounts linked to one account through shared identifiers (relationship types in $rel_types), strongest first (rare identifiers weigh more); identifiers shared by more than $hub_cap accounts are skipped unless $include_hubs, and never expanded beyond $hard_cap.
// mode: read
// param account_id: str
// param rel_types: list[str]
// param hub_cap: int
// param hard_cap: int
// param include_hubs: bool
// param limit: int
MATCH (a:Account {account_id: $account_id})-[r1]->(x)
WHERE type(r1) IN $rel_types
WITH DISTINCT a, x
WITH a, x, COUNT { (x)<--() } AS degree
WHERE degree <= CASE WHEN $include_hubs THEN $hard_cap ELSE $hub_cap END
WITH a, x, COUNT { MATCH (x)<--(o:Account) RETURN DISTINCT o } AS sharers
MATCH (x)<-[r2]-(b:Account)
WHERE type(r2) IN $rel_types AND b <> a
WITH b, x, sharers
WITH b, collect(DISTINCT {kind: labels(x)[0],
                          value: coalesce(x.fingerprint, x.address, x.domain, x.org_id, x.key_id,
                                          x.template_id),
                          shared_by: sharers}) AS via
WITH b, via, reduce(strength = 0.0, v IN via | strength + 1.0 / v.shared_by) AS strength
RETURN b.account_id AS account_id, via, strength
ORDER BY strength DESC, account_id
LIMIT $limit
