"""Convert cached PyPI JSON API records (bench/real/pypi_fetch.py) into linkage's input contract: real
publishing identities as accounts, their file uploads as requests, every account legitimate.

    .venv/bin/python bench/real/pypi_publishers.py --out bench/real/data/pypi [--source bench/real/data/pypi-cache]

What it measures: false positives on a real legitimate population that contains real lookalikes of
coordination (organisations and prolific maintainers releasing hundreds of projects in lockstep, shared
default summaries, research groups on one e-mail domain). There are no campaign accounts in it.

Mapping (each value as the API gives it; nothing invented):
- account = a publishing identity named in a sampled project's `ownership`: each user in `ownership.roles`
  (role Owner or Maintainer), and the project's PyPI Organization (`ownership.organization`) as the identity
  `org:<name>` (an organisation's projects often list no user at all: its members are not exposed). The API
  does not say which identity uploaded a file, so every upload of a project is attributed to each of them:
  co-owners share that project's activity exactly. Ownership is today's, not the one at upload time; only
  the sampled projects of an account are seen.
- request = one uploaded file of a sampled project: `upload_time_iso_8601` -> ts; the project's current
  `info.summary` -> prompt (masked into templates by the loader); the top level of the project's first
  `Topic ::` classifier -> capability (empty when it has none); the file's own `requires_python`, reduced
  to its lower bound (`>=3.8, <4` -> `py>=3.8`; empty when the file declares none or no lower bound) ->
  model: the oldest interpreter the upload targets, so a release train raising its floor together is a
  real "shared move to a new model".
- created_at = the account's first upload among its sampled projects (registration dates are not exposed).
- email_domain = the most frequent e-mail domain in the `author_email`/`maintainer_email` of the account's
  projects (ties: alphabetical); the local part is never written. The e-mail is the project's metadata,
  not the account's (whose e-mail is private): a project listing two addresses gives both domains to each
  of its owners.
- org_id = the project's PyPI Organization (`ownership.organization`, registry-verified) that most of the
  account's sampled projects belong to, when at least half do: a declared organisation, as a provider's
  customer organisation is. The repository host owner (the GitHub/GitLab owner in `project_urls`) is not
  loaded: it is self-declared metadata, not a membership the registry vouches for, and no other field of
  the contract (IP, client, key, payment) means "same code host". It is written to `repo_owners.csv`
  (ignored by the loader) so its degree distribution can be reported.
- `account_projects.csv` (ignored by the loader): the sampled projects each account owns, so a flagged
  cluster can be told apart as co-owners of one project or accounts of distinct projects in lockstep.
- `--attribution one` (the `pypi-one` set): each project's uploads go to a single identity — its PyPI
  Organization if it has one, else the first Owner in the API's list — so that no two accounts share an
  upload. What remains shared is real behaviour across distinct projects (release trains, common wording,
  the same release day); co-owners who are nobody's single identity drop out.
- labels: every account legitimate (campaign empty); population = a descriptive class derived from the
  account's projects and e-mail domain (see `population`).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, parse_args, require_source

DEFAULT_SOURCE = DATA / "pypi-cache"
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})")
LOWER_BOUND = re.compile(r"(>=|~=|==|>)\s*([0-9]+(?:\.[0-9]+)?)")
REPO_HOST = re.compile(r"https?://(?:www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/([^/?#\s]+)",
                       re.IGNORECASE)
ACADEMIC_SUFFIX = re.compile(r"\.(edu|edu\.[a-z]{2}|ac\.[a-z]{2}|edu\.[a-z]{2}\.[a-z]{2})$")
ACADEMIC_LABEL = re.compile(r"^(uni-[a-z0-9-]+|univ-[a-z0-9-]+|universit[a-z-]*|.*-university|.*univ)$")
RESEARCH_INSTITUTES = {  # labels of research organisations' mail domains (a domain label, not a substring)
    "cnrs", "inria", "inserm", "cea", "mpg", "fz-juelich", "desy", "kit", "ethz", "epfl", "cern", "embl",
    "csiro", "nasa", "nih", "noaa", "anl", "lbl", "ornl", "llnl", "lanl", "pnnl", "bnl", "nrel", "riken",
    "tum", "tudelft", "kth", "dtu", "weizmann", "inaf", "stsci", "esa", "esrf", "ifremer", "inrae", "pasteur",
    "crick", "sanger", "ebi", "broadinstitute", "mskcc", "helmholtz-munich", "hzdr", "dlr", "fraunhofer",
}


def academic(domain: str) -> bool:
    labels = domain.split(".")
    return bool(ACADEMIC_SUFFIX.search(domain)) or any(
        ACADEMIC_LABEL.match(label) or label in RESEARCH_INSTITUTES for label in labels[:-1])


FREE_MAIL = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com",
    "me.com", "mac.com", "protonmail.com", "proton.me", "pm.me", "qq.com", "163.com", "126.com", "foxmail.com",
    "yandex.ru", "mail.ru", "gmx.de", "gmx.net", "web.de", "aol.com", "users.noreply.github.com",
    "hotmail.fr", "yahoo.fr", "orange.fr", "free.fr", "naver.com", "sina.com", "outlook.fr", "yahoo.co.in",
    "rediffmail.com", "tutanota.com", "fastmail.com", "zoho.com", "msn.com", "example.com", "example.org",
}
TRAIN_PROJECTS = 5  # an account with this many sampled projects of one release-train family runs a train


def lower_bound(requires_python: str | None) -> str | None:
    if not requires_python:
        return None
    bounds = LOWER_BOUND.findall(requires_python)
    if not bounds:
        return None
    return "py>=" + max((b[1] for b in bounds), key=lambda v: tuple(int(p) for p in v.split(".")))


def domains(info: dict) -> list[str]:
    found = []
    for field in ("author_email", "maintainer_email"):
        for domain in EMAIL.findall(info.get(field) or ""):
            found.append(domain.lower().rstrip("."))
    return sorted(set(found))


def topic(classifiers: list[str]) -> str | None:
    for classifier in classifiers or []:
        parts = [p.strip() for p in classifier.split("::")]
        if parts[0] == "Topic" and len(parts) > 1:
            return parts[1]
    return None


def repo_owners(info: dict) -> list[str]:
    urls = [*(info.get("project_urls") or {}).values(), info.get("home_page") or ""]
    return sorted({f"{m.group(1).lower()}/{m.group(2).lower()}" for u in urls if u
                   for m in REPO_HOST.finditer(u)})


def population(projects: list[tuple[str, str]], domain: str | None, train_projects: int) -> str:
    """A descriptive class from what the account publishes and where its projects' mail goes."""
    if train_projects >= TRAIN_PROJECTS:
        return "org_release_train"
    if domain and academic(domain):
        return "research_group"
    research = sum(1 for stratum, _ in projects if stratum == "research")
    if research * 2 > len(projects):
        return "research_software"
    if len(projects) >= TRAIN_PROJECTS:
        return "multi_project_maintainer"
    if domain and domain not in FREE_MAIL:
        return "company_or_own_domain"
    return "individual_maintainer"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attribution", choices=("all", "one"), default="all",
                        help="all: each upload to every identity of the project (default); one: to a single "
                             "identity per project (its organisation, else the first Owner the API lists)")
    args = parse_args(__doc__.splitlines()[0], "cache directory written by bench/real/pypi_fetch.py",
                      DEFAULT_SOURCE, parser)
    source = require_source(args.source, "The PyPI JSON API cache",
                            "Fill it with: .venv/bin/python bench/real/pypi_fetch.py (serial, paced, resumable).")
    with (source / "sample.tsv").open(newline="") as handle:
        sample = [row for row in csv.reader(handle, delimiter="\t")][1:]
    args.out.mkdir(parents=True, exist_ok=True)
    ts: list[str] = []
    accounts: list[str] = []
    prompts: list[str | None] = []
    capabilities: list[str | None] = []
    models: list[str | None] = []
    account_projects: dict[str, list[tuple[str, str]]] = defaultdict(list)
    account_domains: dict[str, Counter[str]] = defaultdict(Counter)
    account_orgs: dict[str, Counter[str]] = defaultdict(Counter)
    account_repos: dict[str, set[str]] = defaultdict(set)
    owned: dict[str, list[str]] = defaultdict(list)
    first: dict[str, str] = {}
    counts = Counter()
    for name, stratum, family in sample:
        path = source / "json" / f"{name}.json.gz"
        if not path.exists():
            counts["projects not cached (removed or not fetched)"] += 1
            continue
        record = json.loads(gzip.decompress(path.read_bytes()))
        info = record["info"]
        ownership = record.get("ownership") or {}
        roles = ownership.get("roles") or []
        org = ownership.get("organization")
        if args.attribution == "one":
            first_owner = [r["user"] for r in roles if r.get("role") == "Owner"][:1]
            owners = [f"org:{org}"] if org else first_owner
        else:
            owners = sorted({r["user"] for r in roles if r.get("role") in ("Owner", "Maintainer")})
            if org:  # the PyPI Organization owns the project too; its members are not exposed
                owners.append(f"org:{org}")
        files = [f for files in record["releases"].values() for f in files]
        if not owners:
            counts["projects without owners in the API (skipped)"] += 1
            counts["uploads of projects without owners (skipped)"] += len(files)
            continue
        if not files:
            counts["projects without any uploaded file"] += 1
        counts["projects"] += 1
        summary = (info.get("summary") or "").strip() or None
        capability = topic(info.get("classifiers") or [])
        project_domains = domains(info)
        repos = repo_owners(info)
        for owner in owners:
            account_projects[owner].append((stratum, family))
            owned[owner].append(name)
            account_domains[owner].update(project_domains)
            account_orgs[owner][org or ""] += 1
            account_repos[owner].update(repos)
        for upload in files:
            when = upload.get("upload_time_iso_8601")
            if not when:
                counts["uploads without upload_time_iso_8601 (skipped)"] += 1
                continue
            model = lower_bound(upload.get("requires_python"))
            counts["uploads"] += 1
            for owner in owners:
                ts.append(when)
                accounts.append(owner)
                prompts.append(summary)
                capabilities.append(capability)
                models.append(model)
                if owner not in first or when < first[owner]:
                    first[owner] = when
    table = pa.table({"ts": pa.array(ts, pa.string()), "account_id": accounts, "prompt": pa.array(prompts, pa.string()),
                      "capability": pa.array(capabilities, pa.string()), "model": pa.array(models, pa.string())})
    pq.write_table(table, args.out / "requests.parquet")
    rows = []
    for account in sorted(first):
        domain_counts = account_domains[account]
        domain = min(domain_counts, key=lambda d: (-domain_counts[d], d)) if domain_counts else None
        orgs = account_orgs[account]
        top_org, top_count = max(orgs.items(), key=lambda item: (item[1], item[0]))
        org_id = top_org if top_org and top_count * 2 >= sum(orgs.values()) else None
        trains = Counter(family for stratum, family in account_projects[account] if stratum == "release_train")
        train_projects = max(trains.values(), default=0)
        rows.append((account, first[account], domain, org_id,
                     population(account_projects[account], domain, train_projects)))
    with (args.out / "accounts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "created_at", "email_domain", "org_id"])
        writer.writerows(row[:4] for row in rows)
    with (args.out / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "campaign", "population"])
        writer.writerows((row[0], "", row[4]) for row in rows)
    with (args.out / "repo_owners.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "repo_owner"])
        for account in sorted(first):
            writer.writerows((account, owner) for owner in sorted(account_repos[account]))
    with (args.out / "account_projects.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "project"])
        for account in sorted(first):
            writer.writerows((account, project) for project in sorted(owned[account]))
    classes = Counter(row[4] for row in rows)
    print(f"accounts {len(rows)}, requests {len(ts)} ({counts['uploads']} file uploads), "
          f"projects {counts['projects']}, sampled {len(sample)}")
    for what, count in sorted(counts.items()):
        if what not in ("uploads", "projects"):
            print(f"  {what}: {count}")
    print("  populations: " + ", ".join(f"{k} {v}" for k, v in classes.most_common()))
    print(f"  accounts with an e-mail domain {sum(1 for r in rows if r[2])}, "
          f"with an org_id {sum(1 for r in rows if r[3])}")


if __name__ == "__main__":
    main()
