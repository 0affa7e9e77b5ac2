"""Sample PyPI projects and fetch their JSON API records, serially and paced, into an on-disk cache that
later runs resume from.

    .venv/bin/python bench/real/pypi_fetch.py [--cache bench/real/data/pypi-cache] [--random 6500] [--rate 4]

The sample (written to CACHE/sample.tsv, stratum per project) is drawn from a local list of PyPI project
names (default: the workplace's package list; `--names` takes any file whose first column is a project
name, header first) with a fixed seed:

- release trains of organisations and prolific maintainers: every project of a name family, at most
  `--family-cap` of each (azure-*, google-cloud-*, mypy-boto3-*, types-*, opentelemetry-*, jupyter*,
  apache-airflow-providers-*, boto*, llama-index-*, langchain-*, aws-cdk*, pulumi*, alibabacloud*,
  tencentcloud*, huaweicloudsdk*, dagster*, odoo*);
- research software families (napari-*, qiskit*, mne*, astropy*, sunpy*, pyiron*, brainglobe*, scikit-*)
  and a handful of named research projects;
- a uniform random sample of the rest (`--random`).

Each project's record (`https://pypi.org/pypi/<name>/json`: metadata, ownership, every release's files
with upload times) is stored gzipped as CACHE/json/<name>.json.gz; a 404 (project removed since the list
was made) is remembered in CACHE/missing.tsv. Requests go one at a time, at most `--rate` per second, with
a descriptive User-Agent, backing off on 429/5xx (PyPI asks API users not to send thousands of requests in
minutes and to prefer serial requests over a longer time).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA

DEFAULT_NAMES = Path("/work/.library/env/packages/pypi.tsv")
DEFAULT_CACHE = DATA / "pypi-cache"
USER_AGENT = "linkage-real-data-benchmark/1.0 (serial, paced; reads the PyPI JSON API once per project, cached)"
SEED = 20260
FAMILIES = {  # stratum -> {family: name pattern}
    "release_train": {
        "azure": r"azure-", "google-cloud": r"google-cloud-", "mypy-boto3": r"mypy-boto3-", "types": r"types-",
        "opentelemetry": r"opentelemetry-", "jupyter": r"jupyter", "airflow-providers": r"apache-airflow-providers-",
        "boto": r"boto", "llama-index": r"llama-index-", "langchain": r"langchain-", "aws-cdk": r"aws-cdk",
        "pulumi": r"pulumi", "alibabacloud": r"alibabacloud", "tencentcloud": r"tencentcloud",
        "huaweicloudsdk": r"huaweicloudsdk", "dagster": r"dagster", "odoo": r"odoo",
    },
    "research": {
        "napari": r"napari-", "qiskit": r"qiskit", "mne": r"mne(-|$)", "astropy": r"astropy", "sunpy": r"sunpy",
        "pyiron": r"pyiron", "brainglobe": r"brainglobe", "scikit": r"scikit-",
        "named": r"(nibabel|nilearn|nipype|dipy|pybids|scanpy|anndata|scvi-tools|squidpy|cellrank|pyscf|ase|pymatgen"
                 r"|mdanalysis|openmm|biopython|deeplabcut|ctapipe|pyro-ppl|pymc|arviz|xarray|dask|zarr|h5py|yt"
                 r"|fenics|firedrake|sympy|networkx|scikit-image|astroquery|photutils|specutils|healpy|pyvista)$",
    },
}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def draw_sample(names_file: Path, family_cap: int, random_count: int) -> list[tuple[str, str, str]]:
    """(name, stratum, family) for every sampled project, deterministic for a given list and seed."""
    with names_file.open(newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        names = sorted({normalise(row[0]) for row in reader if row and row[0]})
    rng = random.Random(SEED)
    chosen: dict[str, tuple[str, str]] = {}
    for stratum, families in FAMILIES.items():
        for family, pattern in families.items():
            regex = re.compile(pattern)
            members = [n for n in names if regex.match(n) and n not in chosen]
            if len(members) > family_cap:
                members = sorted(rng.sample(members, family_cap))
            for name in members:
                chosen[name] = (stratum, family)
    rest = [n for n in names if n not in chosen]
    for name in sorted(rng.sample(rest, min(random_count, len(rest)))):
        chosen[name] = ("random", "")
    return [(name, stratum, family) for name, (stratum, family) in chosen.items()]


def fetch_one(client: httpx.Client, name: str) -> tuple[int, bytes]:
    response = client.get(f"https://pypi.org/pypi/{name}/json")
    return response.status_code, response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, default=DEFAULT_NAMES, help="project-name list (TSV, header, name first)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="cache directory (resumed)")
    parser.add_argument("--family-cap", type=int, default=250, help="at most this many projects per name family")
    parser.add_argument("--random", type=int, default=6500, help="uniform random projects beyond the families")
    parser.add_argument("--rate", type=float, default=4.0, help="at most this many requests per second")
    parser.add_argument("--max-requests", type=int, default=None, help="stop after this many requests")
    args = parser.parse_args()
    cache = args.cache
    (cache / "json").mkdir(parents=True, exist_ok=True)
    sample_file = cache / "sample.tsv"
    if sample_file.exists():
        with sample_file.open(newline="") as handle:
            sample = [tuple(row) for row in csv.reader(handle, delimiter="\t")][1:]
    else:
        if not args.names.exists():
            sys.exit(f"project-name list not found: {args.names} (pass --names FILE: TSV, header row, name first)")
        sample = draw_sample(args.names, args.family_cap, args.random)
        with sample_file.open("w", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t")
            writer.writerow(["name", "stratum", "family"])
            writer.writerows(sample)
    missing_file = cache / "missing.tsv"
    missing = set(missing_file.read_text().split()) if missing_file.exists() else set()
    # Families first, then the random part in a seeded shuffled order: a fetch stopped early (or capped with
    # --max-requests) leaves a uniform subsample of the random part, not the alphabetical front of it.
    families = [row[0] for row in sample if row[1] != "random"]
    randoms = sorted(row[0] for row in sample if row[1] == "random")
    random.Random(SEED).shuffle(randoms)
    todo = [name for name in families + randoms
            if name not in missing and not (cache / "json" / f"{name}.json.gz").exists()]
    print(f"sample {len(sample)} projects; cached {len(sample) - len(todo) - len(missing)}, "
          f"known missing {len(missing)}, to fetch {len(todo)}", flush=True)
    interval = 1.0 / args.rate
    sent = 0
    started = time.monotonic()
    client = httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": "application/json"}, timeout=60,
                          follow_redirects=True)
    for index, name in enumerate(todo):
        if args.max_requests is not None and sent >= args.max_requests:
            break
        backoff = 5.0
        while True:
            began = time.monotonic()
            try:
                status, body = fetch_one(client, name)
            except httpx.HTTPError as error:
                status, body = -1, str(error).encode()
            sent += 1
            time.sleep(max(0.0, interval - (time.monotonic() - began)))
            if status == 200:
                json.loads(body)  # a truncated body must not enter the cache
                partial = cache / "json" / f"{name}.json.gz.part"  # renamed when whole: a kill leaves no torn file
                partial.write_bytes(gzip.compress(body))
                partial.replace(cache / "json" / f"{name}.json.gz")
                break
            if status == 404:
                with missing_file.open("a") as handle:
                    handle.write(name + "\n")
                break
            print(f"{name}: HTTP {status}; retrying in {backoff:.0f} s", flush=True)
            time.sleep(backoff)
            backoff = min(backoff * 2, 300)
        if (index + 1) % 250 == 0:
            rate = sent / (time.monotonic() - started)
            print(f"{index + 1}/{len(todo)} fetched ({rate:.1f} requests/s)", flush=True)
    client.close()
    print(f"done: {sent} requests this run", flush=True)


if __name__ == "__main__":
    main()
