// name: api_account_linked
// description: For each request, the accounts linked to its account through shared identifiers (relationship types in rel_types), strongest first (rare identifiers weigh more), at most limit of them. Identifiers connected to more than hub_cap nodes are skipped; of the rest, the $max_identifiers rarest are followed. One query for a whole page of accounts (the linkedAccounts DataLoader).
// mode: read
// param requests: list[{account_id: str, rel_types: list[str], hub_cap: int, limit: int}]
// param max_identifiers: int
UNWIND $requests AS request
MATCH (a:Account {account_id: request.account_id})
CALL (a, request) {
  MATCH (a)-[r1]->(x)
  WHERE type(r1) IN request.rel_types
  WITH DISTINCT x
  WITH x, COUNT { (x)<--() } AS degree
  WHERE degree <= request.hub_cap
  WITH x ORDER BY degree
  LIMIT $max_identifiers
  WITH x, COUNT { MATCH (x)<--(o:Account) RETURN DISTINCT o } AS sharers
  MATCH (x)<-[r2]-(b:Account)
  WHERE type(r2) IN request.rel_types AND b <> a
  WITH b, collect(DISTINCT {kind: labels(x)[0],
                            value: coalesce(x.fingerprint, x.address, x.domain, x.org_id, x.key_id,
                                            x.template_id),
                            shared_by: sharers}) AS via
  WITH b, via, reduce(strength = 0.0, v IN via | strength + 1.0 / v.shared_by) AS strength
  ORDER BY strength DESC, b.account_id
  RETURN collect({account_id: b.account_id, via: via, strength: strength}) AS linked
}
RETURN request.account_id AS account_id, request.rel_types AS rel_types, request.hub_cap AS hub_cap,
       request.limit AS limit, linked[0..request.limit] AS linked
