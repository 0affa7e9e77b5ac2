"""Development aid: build detection's input straight from a generated directory with DuckDB (the same
aggregates the loader writes to Neo4j), run detection in memory and score it against labels.csv.

Used to iterate on detection quality across seeds without a load per try; the product path (and the
tests) always read the graph.

    .venv/bin/python bench/detect_offline.py /tmp/gen10k [/tmp/gen10k-seed2 ...]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np

from graph.detect.config import DetectionConfig
from graph.detect.evaluate import Labels, baseline_flags, score_flags
from graph.detect.inputs import build_accounts, build_incidence
from graph.detect.pipeline import detect_clusters
from graph.load.templates import group_templates, mask_prompt_sql

BUCKET_MINUTES = 10


def ipv4_int(column: str) -> str:
    return (f"(split_part({column},'.',1)::BIGINT*16777216 + split_part({column},'.',2)::BIGINT*65536 + "
            f"split_part({column},'.',3)::BIGINT*256 + split_part({column},'.',4)::BIGINT)")


def build(directory: Path):  # type: ignore[no-untyped-def]
    con = duckdb.connect()
    d = str(directory)
    requests = next((p for p in (directory / "requests.parquet", directory / "requests.csv.gz",
                                 directory / "requests.csv") if p.exists()), None)
    con.execute(f"CREATE VIEW req AS SELECT * FROM '{requests}'" if requests else
                "CREATE VIEW req AS SELECT NULL::TIMESTAMPTZ ts, NULL account_id, NULL ip WHERE false")
    con.execute(f"CREATE VIEW acc AS SELECT * FROM read_csv('{d}/accounts.csv')")
    req_columns = {row[0] for row in con.execute("DESCRIBE req").fetchall()}
    acc_columns = {row[0] for row in con.execute("DESCRIBE acc").fetchall()}
    if (directory / "payment_methods.csv").exists():
        con.execute(f"CREATE VIEW pm AS SELECT * FROM read_csv('{d}/payment_methods.csv')")
    else:
        con.execute("CREATE VIEW pm AS SELECT NULL account_id, NULL fingerprint, NULL kind WHERE false")
    intel = f"read_csv('{d}/ip_intel.csv')" if (directory / "ip_intel.csv").exists() else \
        "(SELECT NULL network, NULL kind, NULL proxy_network, false is_vpn, false is_tor WHERE false)"
    con.execute(f"""CREATE TABLE intel AS SELECT *, split_part(network,'/',1) AS base,
        coalesce(try_cast(split_part(network,'/',2) AS INT), 32) AS plen FROM {intel}
        WHERE network NOT LIKE '%:%'""")
    con.execute(f"""CREATE TABLE intel_r AS SELECT *, {ipv4_int('base')} AS lo,
        {ipv4_int('base')} + (1::BIGINT << (32 - plen)) - 1 AS hi FROM intel""")
    request_ip = "SELECT ip FROM req" if "ip" in req_columns else "SELECT NULL ip WHERE false"
    signup_ip = "SELECT signup_ip AS ip FROM acc WHERE signup_ip IS NOT NULL" if "signup_ip" in acc_columns \
        else "SELECT NULL ip WHERE false"
    con.execute(f"""CREATE TABLE ips AS SELECT DISTINCT ip FROM ({request_ip} UNION ALL {signup_ip})
        WHERE ip IS NOT NULL AND ip NOT LIKE '%:%'""")
    con.execute(f"""CREATE TABLE ip_match AS SELECT ip, arg_max(kind, plen) AS kind,
        arg_max(proxy_network, plen) AS proxy_network, bool_or(is_vpn OR is_tor) AS anonymous
        FROM ips JOIN intel_r ON {ipv4_int('ip')} BETWEEN lo AND hi GROUP BY ip""")
    activity = con.execute(f"""SELECT account_id, list(b ORDER BY b) AS buckets, list(n ORDER BY b) AS counts
        FROM (SELECT account_id, (epoch(ts::TIMESTAMPTZ)::BIGINT // {BUCKET_MINUTES * 60}) AS b, count(*) AS n
              FROM req GROUP BY ALL) GROUP BY account_id""").fetchall()
    per_account = {a: (b, c) for a, b, c in activity}
    org = "org_id" if "org_id" in acc_columns else "NULL"
    accounts = con.execute(f"SELECT account_id, created_at, {org} FROM acc").fetchall()
    totals = dict(con.execute("SELECT account_id, count(*) FROM req GROUP BY 1").fetchall())
    rows = [{"account_id": a, "created_at": created, "org_id": org, "requests": totals.get(a, 0),
             "buckets": per_account.get(a, ([], []))[0], "counts": per_account.get(a, ([], []))[1]}
            for a, created, org in accounts]
    data, index = build_accounts(rows)

    def fetch(sql: str, names: list[str]) -> list[dict]:  # type: ignore[type-arg]
        return [dict(zip(names, r, strict=True)) for r in con.execute(sql).fetchall()]

    data.incidences["payment"] = build_incidence("payment", fetch(
        "SELECT account_id, fingerprint, 1, kind FROM pm", ["account_id", "identifier", "requests", "kind"]), index)
    request_pairs = "SELECT account_id, ip FROM req" if "ip" in req_columns else \
        "SELECT NULL account_id, NULL ip WHERE false"
    signup_pairs = "SELECT account_id, signup_ip AS ip, 0 FROM acc WHERE signup_ip IS NOT NULL" \
        if "signup_ip" in acc_columns else "SELECT NULL, NULL, 0 WHERE false"
    data.incidences["ip"] = build_incidence("ip", fetch(
        f"""SELECT r.account_id, r.ip, r.n, coalesce(m.kind,'unknown'), m.proxy_network, coalesce(m.anonymous,false)
           FROM (SELECT account_id, ip, count(*) n FROM ({request_pairs}) WHERE ip IS NOT NULL GROUP BY ALL
                 UNION ALL {signup_pairs}) r
           LEFT JOIN ip_match m USING (ip)""",
        ["account_id", "identifier", "requests", "kind", "proxy_network", "anonymous"]), index)
    if "signup_ip" in acc_columns:
        data.incidences["signup_ip"] = build_incidence("signup_ip", fetch(
            """SELECT a.account_id, a.signup_ip, 0, coalesce(m.kind,'unknown'), m.proxy_network,
                      coalesce(m.anonymous,false)
               FROM acc a LEFT JOIN ip_match m ON m.ip = a.signup_ip WHERE a.signup_ip IS NOT NULL""",
            ["account_id", "identifier", "requests", "kind", "proxy_network", "anonymous"]), index)
    for kind, column in (("client", "client_fingerprint"), ("api_key", "api_key_id"),
                         ("capability", "capability")):
        if column not in req_columns:
            continue
        data.incidences[kind] = build_incidence(kind, fetch(
            f"SELECT account_id, {column}, count(*) FROM req WHERE {column} IS NOT NULL GROUP BY ALL",
            ["account_id", "identifier", "requests"]), index)
    if "email_domain" in acc_columns:
        data.incidences["email_domain"] = build_incidence("email_domain", fetch(
            "SELECT account_id, email_domain, 1 FROM acc WHERE email_domain IS NOT NULL",
            ["account_id", "identifier", "requests"]), index)
    columns = {row[0] for row in con.execute("DESCRIBE req").fetchall()}
    per_pair: Counter = Counter()
    if "prompt" in columns:
        con.execute(f"CREATE TABLE masked AS SELECT account_id, {mask_prompt_sql('prompt')} AS m, count(*) AS n "
                    "FROM req WHERE prompt IS NOT NULL GROUP BY ALL")
        groups = group_templates(dict(con.execute("SELECT m, sum(n)::BIGINT FROM masked GROUP BY m").fetchall()))
        for account, masked, n in con.execute("SELECT account_id, m, n FROM masked").fetchall():
            per_pair[(account, groups[masked])] += n
    elif "prompt_template" in columns:  # precomputed template ids (generate --prompts template)
        for account, template, n in con.execute(
                "SELECT account_id, prompt_template, count(*) FROM req GROUP BY ALL").fetchall():
            per_pair[(account, template)] += n
    data.incidences["template"] = build_incidence("template", (
        {"account_id": a, "identifier": t, "requests": n} for (a, t), n in sorted(per_pair.items())), index)
    if "model" in req_columns:
        data.incidences["model"] = build_incidence("model", fetch(
            """SELECT account_id, model, count(*), min(ts::TIMESTAMPTZ), any_value(mf) FROM req
               JOIN (SELECT model, min(ts::TIMESTAMPTZ) mf FROM req GROUP BY model) USING (model) GROUP BY ALL""",
            ["account_id", "identifier", "requests", "first_seen", "model_first_seen"]), index)
    labels = {a: (c or "", p) for a, c, p in con.execute(
        f"SELECT account_id, campaign, population FROM read_csv('{d}/labels.csv', all_varchar=true)").fetchall()}
    return data, labels


def print_verdicts_by_group(clusters: list, labels: dict[str, tuple[str, str]]) -> None:  # type: ignore[type-arg]
    """Per campaign (recall) and per legitimate population (false positives): how many accounts ended in a
    suspicious cluster, a review cluster, a benign cluster, or no cluster."""
    verdict = {m: c.verdict for c in clusters for m in c.members}
    table: dict[str, Counter] = {}
    for account, (campaign, population) in labels.items():
        group = campaign or population
        table.setdefault(group, Counter())[verdict.get(account, "none")] += 1
    print(f"   {'group':<24}{'accounts':>9}{'suspicious':>11}{'review':>8}{'benign':>8}{'none':>7}  rate")
    for kind, groups in (("campaign", sorted(g for g in table if any(labels[a][0] == g for a in labels))),
                         ("legitimate", sorted(g for g in table if not any(labels[a][0] == g for a in labels)))):
        for group in groups:
            row = table[group]
            total = sum(row.values())
            name = "recall" if kind == "campaign" else "flagged"
            print(f"   {group:<24}{total:>9}{row['suspicious']:>11}{row['review']:>8}{row['benign']:>8}"
                  f"{row['none']:>7}  {name} {row['suspicious'] / total:.3f}")


def main() -> None:
    config = DetectionConfig()
    for arg in sys.argv[1:]:
        started = time.perf_counter()
        data, labels = build(Path(arg))
        built = time.perf_counter() - started
        timings: dict[str, float] = {}
        clusters, candidates, links, glue = detect_clusters(data, config, BUCKET_MINUTES, None, timings)
        flagged = {m for c in clusters if c.verdict == "suspicious" for m in c.members}
        truth = {a for a, (c, _) in labels.items() if c}
        tp = len(flagged & truth)
        precision = tp / max(len(flagged), 1)
        recall = tp / max(len(truth), 1)
        print(f"== {arg}: accounts {data.n_accounts} build {built:.1f}s {timings} candidates {candidates} "
              f"links {links} glue {glue}")
        print(f"   precision {precision:.4f} recall {recall:.4f} flagged {len(flagged)} truth {len(truth)}")
        base_flagged, base_seconds = baseline_flags(data)
        base = score_flags("baseline", base_flagged, Labels({a: c for a, (c, _) in labels.items()},
                                                           {a: p for a, (_, p) in labels.items()}), base_seconds)
        print(f"   baseline: precision {base.precision:.4f} recall {base.recall:.4f} F1 {base.f1:.4f} "
              f"FP rate {base.false_positive_rate:.2%} per campaign "
              f"{ {c: round(r, 3) for c, r in base.recall_by_campaign.items()} } ({base.seconds:.2f}s)")
        per_campaign = Counter(labels[a][0] for a in truth)
        hit = Counter(labels[a][0] for a in flagged & truth)
        print("   recall per campaign:", {c: f"{hit[c]}/{n}" for c, n in sorted(per_campaign.items())})
        fp = Counter(labels[a][1] for a in flagged - truth)
        print("   false positives by population:", dict(fp))
        verdicts = Counter(c.verdict for c in clusters)
        print("   clusters:", dict(verdicts), "largest:", sorted((len(c.members) for c in clusters), reverse=True)[:8])
        for c in sorted(clusters, key=lambda c: -len(c.members))[:12]:
            pops = Counter(labels[m][0] or labels[m][1] for m in c.members)
            print(f"   {c.cluster_id} size {len(c.members)} score {c.score} {c.verdict} {dict(pops.most_common(3))}"
                  f" {[(e['signal'], e['score']) for e in c.evidence[:6]]}")
        missed = Counter()
        for c in clusters:
            if c.verdict != "suspicious":
                n_campaign = sum(1 for m in c.members if labels[m][0])
                if n_campaign:
                    missed[(c.cluster_id, len(c.members), c.score)] += n_campaign
        print("   non-suspicious clusters holding campaign accounts:", missed.most_common(8))
        unclustered = truth - {m for c in clusters for m in c.members}
        print("   campaign accounts in no cluster:", Counter(labels[a][0] for a in unclustered))
        print_verdicts_by_group(clusters, labels)
        np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
