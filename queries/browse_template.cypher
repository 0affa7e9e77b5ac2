// name: browse_template
// description: Neo4j Browser: everything behind one prompt template: the capabilities it targets (up to 10), up to 100 accounts that sent it (most prompts of it first) and up to 20 of their clusters (highest score first), plus its skeleton and counts of what is left out. At most 131 nodes. In Browser: :param template_id => 'tpl_…'
// mode: read
// param template_id: str
MATCH (t:PromptTemplate {template_id: $template_id})
CALL (t) {
  MATCH (t)<-[r:SENT_TEMPLATE]-(a:Account)
  WITH a, r ORDER BY coalesce(r.requests, 0) DESC, a.account_id LIMIT 100
  RETURN collect(a) AS accounts, collect(r) AS uses
}
CALL (accounts) {
  UNWIND accounts AS a
  MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
  WHERE coalesce(m.run_id, '') = coalesce(c.run_id, '')
  WITH c, collect(m) AS ms ORDER BY c.score DESC, c.cluster_id LIMIT 20
  RETURN collect(c) AS clusters, reduce(acc = [], x IN collect(ms) | acc + x) AS memberships
}
RETURN t AS template, t.skeleton AS skeleton, accounts, clusters, uses + memberships AS links,
       COLLECT { MATCH p = (t)-[tg:TARGETS]->(:Capability) RETURN p ORDER BY tg.requests DESC LIMIT 10 }
         AS capabilities,
       {accounts_total: COUNT { (t)<-[:SENT_TEMPLATE]-(:Account) }, accounts_shown: size(accounts),
        clusters_shown: size(clusters)} AS counts
