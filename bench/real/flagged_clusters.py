"""Describe the clusters `linkage detect` left in the graph that hold legitimate accounts: verdict, score,
size, the evidence that carried it, and which labelled populations its members come from — the "what did
it flag and why" a false-positive benchmark needs beside the counts.

    .venv/bin/python bench/real/flagged_clusters.py --labels DIR/labels.csv [--out DIR/flagged_clusters.md]

Reads the configured Neo4j (NEO4J_URI) after `linkage detect`; clusters of verdict suspicious and review,
strongest first.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from graph.db import connect
from graph.settings import Settings

QUERY = (
    "MATCH (c:Cluster) WHERE c.verdict IN ['suspicious', 'review'] AND coalesce(c.retired, false) = false "
    "MATCH (a:Account)-[:MEMBER_OF]->(c) "
    "RETURN c.cluster_id AS id, c.verdict AS verdict, c.score AS score, c.size AS size, c.evidence AS evidence, "
    "collect(a.account_id) AS members ORDER BY c.score DESC, c.cluster_id"
)


def shared_projects(members: list[str], projects: dict[str, set[str]]) -> str:
    """How the members' projects overlap: distinct projects, and how many members co-own the most shared one."""
    if not projects:
        return ""
    owners: Counter[str] = Counter(p for m in members for p in projects.get(m, ()))
    if not owners:
        return "none known"
    top, count = max(owners.items(), key=lambda item: (item[1], item[0]))
    return f"{len(owners)} distinct; {count} of {len(members)} co-own {top}"


def describe(labels_file: Path) -> str:
    with labels_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    population = {r["account_id"]: r.get("population") or "unlabelled" for r in rows}
    campaign = {r["account_id"]: r.get("campaign") or "" for r in rows}
    with connect(Settings()) as database:
        clusters = database.read(QUERY, name="flagged clusters")
    projects: dict[str, set[str]] = {}
    side = labels_file.parent / "account_projects.csv"  # written by converters that know who shares what
    if side.exists():
        with side.open(newline="") as handle:
            for row in csv.DictReader(handle):
                projects.setdefault(row["account_id"], set()).add(row["project"])
    lines = ["| cluster | verdict | score | size | legitimate members by population | evidence (contribution) "
             "| members (first 6) | projects |", "|---|---|---|---|---|---|---|---|"]
    for cluster in clusters:
        members = sorted(cluster["members"])
        legitimate = Counter(population.get(m, "unlabelled") for m in members if not campaign.get(m))
        if not legitimate:
            continue
        evidence = [e for e in json.loads(cluster["evidence"] or "[]") if e.get("contribution")]
        carried = "; ".join(f"{e['summary']} ({e['contribution']:.2f})" for e in evidence)
        populations = ", ".join(f"{p} {n}" for p, n in legitimate.most_common())
        lines.append(f"| {cluster['id']} | {cluster['verdict']} | {cluster['score']:.2f} | {cluster['size']} | "
                     f"{populations} | {carried} | {', '.join(members[:6])} | {shared_projects(members, projects)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, required=True, help="labels.csv of the loaded data set")
    parser.add_argument("--out", type=Path, help="also write the table here (Markdown)")
    args = parser.parse_args()
    table = describe(args.labels)
    print(table)
    if args.out:
        args.out.write_text(table)


if __name__ == "__main__":
    main()
