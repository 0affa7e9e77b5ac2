// name: api_account_identifiers
// description: Everything an account used, each with how many accounts share it: payment methods, IPs (kind, proxy network, signup or request use), API keys, client fingerprints, prompt templates, capabilities and models with request counts (top $top per kind by requests).
// mode: read
// param ids: list[str]
// param top: int
UNWIND $ids AS id
MATCH (a:Account {account_id: id})
CALL (a) {
  MATCH (a)-[r:PAID_WITH]->(x:PaymentMethod)
  WITH x ORDER BY x.fingerprint LIMIT $top
  RETURN collect({value: x.fingerprint, detail: x.kind, issuer_country: x.issuer_country,
                  shared_by: COUNT { (x)<-[:PAID_WITH]-(:Account) }}) AS payment_methods
}
CALL (a) {
  MATCH (a)-[r:SIGNED_UP_FROM|USED_IP]->(x:IP)
  WITH x, collect(type(r)) AS uses, sum(coalesce(r.requests, 0)) AS requests
  ORDER BY requests DESC, x.address
  LIMIT $top
  RETURN collect({value: x.address, detail: x.kind, proxy_network: x.proxy_network, is_vpn: x.is_vpn,
                  is_tor: x.is_tor, signup: 'SIGNED_UP_FROM' IN uses, requests: requests,
                  shared_by: COUNT { MATCH (x)<-[:SIGNED_UP_FROM|USED_IP]-(o:Account) RETURN DISTINCT o }}) AS ips
}
CALL (a) {
  MATCH (a)-[r:USED_KEY]->(x:ApiKey)
  WITH x, r ORDER BY r.requests DESC, x.key_id LIMIT $top
  RETURN collect({value: x.key_id, requests: r.requests,
                  shared_by: COUNT { (x)<-[:USED_KEY]-(:Account) }}) AS api_keys
}
CALL (a) {
  MATCH (a)-[r:USED_CLIENT]->(x:ClientFingerprint)
  WITH x, r ORDER BY r.requests DESC, x.fingerprint LIMIT $top
  RETURN collect({value: x.fingerprint, requests: r.requests,
                  shared_by: COUNT { (x)<-[:USED_CLIENT]-(:Account) }}) AS client_fingerprints
}
CALL (a) {
  MATCH (a)-[r:SENT_TEMPLATE]->(x:PromptTemplate)
  WITH x, r ORDER BY r.requests DESC, x.template_id LIMIT $top
  RETURN collect({value: x.template_id, detail: x.skeleton, requests: r.requests,
                  shared_by: COUNT { (x)<-[:SENT_TEMPLATE]-(:Account) }}) AS templates
}
CALL (a) {
  MATCH (a)-[r:USED_CAPABILITY]->(x:Capability)
  WITH x, r ORDER BY r.requests DESC, x.name LIMIT $top
  RETURN collect({value: x.name, requests: r.requests,
                  shared_by: COUNT { (x)<-[:USED_CAPABILITY]-() }}) AS capabilities
}
CALL (a) {
  MATCH (a)-[r:USED_MODEL]->(x:Model)
  WITH x, r ORDER BY r.requests DESC, x.name LIMIT $top
  RETURN collect({value: x.name, requests: r.requests,
                  shared_by: COUNT { (x)<-[:USED_MODEL]-() }}) AS models
}
RETURN id AS account_id, payment_methods, ips, api_keys, client_fingerprints, templates, capabilities, models
