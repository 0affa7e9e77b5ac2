"""Detection quality across worlds: every campaign shape and every legitimate lookalike, ours beside the
baseline, and one calibration table over all of them (what `suspicious` means on labelled data).

Worlds are generated data sets (`linkage generate`, any scenario) and converted real data (bench/real/),
each a folder with the input tables and labels.csv. Detection runs in memory on the same aggregates the
loader writes (bench/detect_offline.py builds them with DuckDB), so a matrix of worlds takes minutes:

    .venv/bin/python bench/detect_worlds.py --generate full:11000:1 full:11000:2 full:100000:3 \\
        classic:100000:1 --folders bench/real/data/ira --data /tmp/worlds --out bench/results/worlds.md

`scenario:accounts:seed` worlds are generated into --data on first use (prompts as text, the faithful mode).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detect_offline import BUCKET_MINUTES, build

from graph.detect.config import DetectionConfig
from graph.detect.evaluate import Labels, baseline_flags, calibrate, score_flags
from graph.detect.pipeline import detect_clusters
from graph.synthetic import generate_dataset


def world_folder(spec: str, data: Path) -> Path:
    scenario, accounts, seed = spec.split(":")
    folder = data / f"{scenario}-{accounts}-{seed}"
    if not (folder / "labels.csv").is_file():
        print(f"generating {spec} into {folder}", file=sys.stderr)
        generate_dataset(folder, accounts=int(accounts), seed=int(seed), scenario=scenario)
    return folder


def evaluate_world(folder: Path, config: DetectionConfig) -> dict[str, object]:
    started = time.perf_counter()
    data, truth = build(folder)
    built = time.perf_counter() - started
    timings: dict[str, float] = {}
    clusters, *_ = detect_clusters(data, config, BUCKET_MINUTES, None, timings)
    labels = Labels({a: c for a, (c, _) in truth.items()}, {a: p for a, (_, p) in truth.items()})
    flagged = {m for c in clusters if c.verdict == "suspicious" for m in c.members}
    ours = score_flags("linkage", flagged, labels)
    base_flagged, seconds = baseline_flags(data)
    baseline = score_flags("baseline", base_flagged, labels, seconds)
    rows = [{"cluster_id": c.cluster_id, "account_id": m, "score": c.score} for c in clusters for m in c.members]
    review = {m for c in clusters if c.verdict == "review" for m in c.members}
    campaign_sizes = Counter(c for c in labels.campaign.values() if c)
    reviewed = Counter(labels.campaign[a] for a in review if labels.campaign.get(a))
    return {"folder": folder.name, "accounts": data.n_accounts, "ours": ours, "baseline": baseline,
            "rows": rows, "labels": labels, "build_s": built, "timings": timings,
            "review_by_campaign": {c: reviewed[c] / n for c, n in campaign_sizes.items()}}


def markdown(results: list[dict[str, object]]) -> str:
    lines = ["# Detection across worlds", "",
             "Accounts in `suspicious` clusters vs labels.csv; baseline = connected components over shared "
             "payment methods and IPs.", "",
             "| world | accounts | ours P / R / F1 | legit flagged | baseline P / R / F1 | baseline legit flagged |",
             "|---|---|---|---|---|---|"]
    for r in results:
        o, b = r["ours"], r["baseline"]
        lines.append(f"| {r['folder']} | {r['accounts']:,} | {o.precision:.4f} / {o.recall:.4f} / {o.f1:.4f} | "
                     f"{o.false_positive_rate:.3%} | {b.precision:.4f} / {b.recall:.4f} / {b.f1:.4f} | "
                     f"{b.false_positive_rate:.2%} |")
    lines += ["", "## Campaign shapes: recall (ours / baseline; share rated `review` by ours)", "",
              "| world | campaign | ours | review | baseline |", "|---|---|---|---|---|"]
    for r in results:
        o, b = r["ours"], r["baseline"]
        for campaign, recall in o.recall_by_campaign.items():
            lines.append(f"| {r['folder']} | {campaign} | {recall:.3f} | "
                         f"{r['review_by_campaign'].get(campaign, 0.0):.3f} | "
                         f"{b.recall_by_campaign.get(campaign, 0.0):.3f} |")
    lines += ["", "## Legitimate populations: accounts flagged (ours / baseline, of the population)", "",
              "| world | population | accounts | ours | baseline |", "|---|---|---|---|---|"]
    for r in results:
        o, b = r["ours"], r["baseline"]
        for population, size in o.population_sizes.items():
            lines.append(f"| {r['folder']} | {population} | {size:,} | "
                         f"{o.false_positives_by_population.get(population, 0):,} | "
                         f"{b.false_positives_by_population.get(population, 0):,} |")
    merged_rows, merged_campaign, merged_population = [], {}, {}
    for r in results:
        prefix = r["folder"] + "/"
        merged_rows += [dict(row, account_id=prefix + row["account_id"], cluster_id=prefix + row["cluster_id"])
                        for row in r["rows"]]
        merged_campaign.update({prefix + a: c for a, c in r["labels"].campaign.items()})
        merged_population.update({prefix + a: p for a, p in r["labels"].population.items()})
    calibration = calibrate(merged_rows, Labels(merged_campaign, merged_population))
    lines += ["", "## Calibration over all worlds (accounts by their cluster's score)", "",
              "| score band | clusters | accounts | campaign accounts | precision |", "|---|---|---|---|---|"]
    for band in calibration.bands:
        precision = "—" if band.accounts == 0 else f"{band.precision:.4f}"
        lines.append(f"| [{band.low:.2f}, {band.high:.2f}) | {band.clusters:,} | {band.accounts:,} | "
                     f"{band.campaign_accounts:,} | {precision} |")
    lines += ["", "| flag from score | accounts | precision | recall |", "|---|---|---|---|"]
    for row in calibration.from_threshold:
        precision = "—" if row["accounts"] == 0 else f"{row['precision']:.4f}"
        lines.append(f"| ≥ {row['threshold']:.1f} | {int(row['accounts']):,} | {precision} | {row['recall']:.4f} |")
    lines += ["", "## Time (in-memory detection; input built with DuckDB)", "",
              "| world | build s | links s | clusters s | signals s |", "|---|---|---|---|---|"]
    for r in results:
        t = r["timings"]
        lines.append(f"| {r['folder']} | {r['build_s']:.0f} | {t.get('links', 0):.1f} | {t.get('clusters', 0):.1f} | "
                     f"{t.get('signals', 0):.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", nargs="*", default=[], help="scenario:accounts:seed worlds")
    parser.add_argument("--folders", nargs="*", default=[], type=Path, help="converted data folders")
    parser.add_argument("--data", type=Path, default=Path(".linkage/worlds"), help="where generated worlds go")
    parser.add_argument("--out", type=Path, help="write the Markdown report here too")
    args = parser.parse_args()
    config = DetectionConfig()
    folders = [world_folder(spec, args.data) for spec in args.generate] + list(args.folders)
    results = []
    for folder in folders:
        print(f"detecting {folder}", file=sys.stderr)
        results.append(evaluate_world(folder, config))
    report = markdown(results)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
