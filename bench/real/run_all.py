"""Convert every real data set, then load, detect and evaluate each the way a user would (the `linkage`
CLI against the configured Neo4j), and print one table: sizes, ours vs the baseline, and the degree
distribution of shared identifiers.

    source env-with-NEO4J_URI; .venv/bin/python bench/real/run_all.py [--only ira] [--reconvert]

The database is reset before each data set (`linkage db reset --yes`): point NEO4J_URI at a server of
your own, never a shared one. Results also go to bench/real/data/results.json, and each set's clusters that
hold legitimate accounts (verdict, score, evidence, populations) to bench/real/data/<set>/flagged_clusters.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, degree_distribution
from flagged_clusters import describe

HERE = Path(__file__).resolve().parent
LINKAGE = str(Path(sys.executable).with_name("linkage"))
DATASETS = {  # name -> converter and its options beyond --out
    "ira": [HERE / "ira_trolls.py"],
    "pypi": [HERE / "pypi_publishers.py"],
    "pypi-one": [HERE / "pypi_publishers.py", "--attribution", "one"],
}


def run(command: list[str]) -> float:
    started = time.perf_counter()
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def sizes(directory: Path) -> dict[str, int]:
    con = duckdb.connect()
    out: dict[str, int] = {}
    for table in ("accounts", "payment_methods", "requests"):
        for suffix in (".csv", ".parquet"):
            path = directory / f"{table}{suffix}"
            if path.exists():
                out[table] = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]  # type: ignore[index]
    out["groups"] = con.execute(
        f"SELECT count(DISTINCT campaign) FROM read_csv('{directory / 'labels.csv'}', all_varchar=true) "
        "WHERE campaign IS NOT NULL AND campaign <> ''").fetchone()[0]  # type: ignore[index]
    out["campaign_accounts"] = con.execute(
        f"SELECT count(*) FROM read_csv('{directory / 'labels.csv'}', all_varchar=true) "
        "WHERE campaign IS NOT NULL AND campaign <> ''").fetchone()[0]  # type: ignore[index]
    return out


def population_sizes(labels: Path) -> dict[str, int]:
    """Legitimate accounts per labelled population."""
    rows = duckdb.connect().execute(
        f"SELECT coalesce(nullif(population, ''), 'unlabelled'), count(*) FROM read_csv('{labels}', all_varchar=true) "
        "WHERE campaign IS NULL OR campaign = '' GROUP BY ALL ORDER BY ALL").fetchall()
    return dict(rows)


def populations_by_verdict(clusters: Path, labels: Path) -> dict[str, dict[str, int]]:
    """For each verdict, the members of clusters with that verdict per labelled population (legitimate
    accounts only), from `linkage export clusters` joined with labels.csv."""
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT c.verdict, coalesce(nullif(l.population, ''), 'unlabelled'), count(DISTINCT c.account_id) "
        f"FROM read_csv('{clusters}', all_varchar=true) c "
        f"JOIN read_csv('{labels}', all_varchar=true) l USING (account_id) "
        "WHERE l.campaign IS NULL OR l.campaign = '' GROUP BY ALL ORDER BY ALL").fetchall()
    out: dict[str, dict[str, int]] = {}
    for verdict, population, count in rows:
        out.setdefault(verdict, {})[population] = count
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(DATASETS), help="run only these data sets")
    parser.add_argument("--reconvert", action="store_true", help="convert again even when the output exists")
    args = parser.parse_args()
    results = {}
    for name in args.only or sorted(DATASETS):
        out = DATA / name
        if args.reconvert or not (out / "labels.csv").exists():
            script, *options = DATASETS[name]
            run([sys.executable, str(script), *options, "--out", str(out)])
        figures = out / "eval.json"
        timings = {
            "reset": run([LINKAGE, "db", "reset", "--yes"]),
            "load": run([LINKAGE, "load", str(out)]),
            "detect": run([LINKAGE, "detect"]),
        }
        run([LINKAGE, "eval", "--labels", str(out / "labels.csv"), "--out", str(figures)])
        run([LINKAGE, "export", "clusters", "--out", str(out / "clusters.csv")])
        (out / "flagged_clusters.md").write_text(describe(out / "labels.csv"))
        ours, baseline = json.loads(figures.read_text())
        results[name] = {"sizes": sizes(out), "ours": ours, "baseline": baseline, "seconds": timings,
                         "degrees": degree_distribution(out),
                         "legitimate_by_verdict": populations_by_verdict(out / "clusters.csv", out / "labels.csv"),
                         "population_sizes": population_sizes(out / "labels.csv")}
    (DATA / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print()
    print("| data set | accounts | groups | campaign accts | payment methods | requests | method | precision "
          "| recall | F1 | legit flagged | flagged |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        s = r["sizes"]
        for method in ("ours", "baseline"):
            m = r[method]
            legit = s["accounts"] - s["campaign_accounts"]
            fp = "n/a (none)" if legit == 0 else f"{m['false_positive_rate']:.2%}"
            print(f"| {name} | {s['accounts']:,} | {s['groups']} | {s['campaign_accounts']:,} | "
                  f"{s.get('payment_methods', 0):,} | {s.get('requests', 0):,} | {method} | "
                  f"{m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {fp} | {m['flagged']:,} |")
    print()
    print("Legitimate accounts by population: how many, flagged (suspicious) by ours and the baseline, and in "
          "review clusters (ours)")
    print()
    print("| data set | population | accounts | flagged (ours) | share | flagged (baseline) | in review (ours) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        for population, count in r["population_sizes"].items():
            ours_fp = r["ours"]["false_positives_by_population"].get(population, 0)
            base_fp = r["baseline"]["false_positives_by_population"].get(population, 0)
            review = r["legitimate_by_verdict"].get("review", {}).get(population, 0)
            print(f"| {name} | {population} | {count:,} | {ours_fp:,} | {ours_fp / count:.2%} | {base_fp:,} | "
                  f"{review:,} |")
    print()
    print("| data set | identifier | shared by 2–10 | 11–100 | 101–1000 | >1000 | identifiers | max degree |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        for kind, bands in r["degrees"].items():
            print(f"| {name} | {kind} | {bands['2-10']:,} | {bands['11-100']:,} | {bands['101-1000']:,} | "
                  f"{bands['>1000']:,} | {bands['identifiers']:,} | {bands['max_degree']:,} |")


if __name__ == "__main__":
    main()
