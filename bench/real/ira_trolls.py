"""Convert the Internet Research Agency troll tweets (FiveThirtyEight / Clemson, split per author by
bet4a/russian-troll-tweets-by-author) into linkage's input contract.

    .venv/bin/python bench/real/ira_trolls.py --out bench/real/data/ira

Source: the git snapshot of github.com/bet4a/russian-troll-tweets-by-author (commit 9733cad, 2018-08-07),
brought here by the search tool's `fetch` (default path below) or any checkout of it. Every account in it is
an IRA account named in the House Intelligence Committee's list; the snapshot's authors.csv carries
Linvill and Warren's (Clemson) category of each (RightTroll, LeftTroll, NewsFeed, HashtagGamer, Fearmonger,
Commercial, NonEnglish, Unknown), so each account is labelled campaign `ira/<category>`. The data holds no
legitimate accounts: precision cannot be measured on it, only recall and how the operation falls apart into
clusters.

Mapping (nothing invented): author -> account_id; the account's earliest tweet -> created_at (the data has
no creation date: first observed activity stands in for it); each tweet -> one request (publish_date as ts,
the tweet text as prompt, the source's post_type code R/Q/empty -> capability retweet/quote/post). No IPs,
payment methods, clients or keys exist in the data, so none are written.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, require_source

DEFAULT_SOURCE = Path("/work/.mirror/bet4a+russian-troll-tweets-by-author/repo")
POST_TYPE = {"R": "retweet", "Q": "quote", "": "post"}
csv.field_size_limit(1 << 24)


def _blobs_from_git(git_dir: Path) -> Iterator[tuple[str, bytes | None]]:
    """(path, bytes) of every CSV at HEAD; bytes is None when the snapshot lacks the blob."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "HEAD"], check=True,
                             capture_output=True, text=True).stdout.splitlines()
    entries = [(line.split("\t", 1)[1], line.split()[2]) for line in listing if line.endswith(".csv")]
    batch = subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    assert batch.stdin is not None and batch.stdout is not None
    for path, sha in entries:
        batch.stdin.write(f"{sha}\n".encode())
        batch.stdin.flush()
        header = batch.stdout.readline().decode().split()
        if header[-1] == "missing":
            yield path, None
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.readline()
        yield path, data
    batch.stdin.close()
    batch.wait()


def _blobs_from_tree(root: Path) -> Iterator[tuple[str, bytes | None]]:
    for path in sorted(root.rglob("*.csv")):
        yield str(path.relative_to(root)), path.read_bytes()


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], "git dir or checkout of bet4a/russian-troll-tweets-by-author",
                      DEFAULT_SOURCE)
    source = require_source(args.source, "The snapshot of github.com/bet4a/russian-troll-tweets-by-author",
                            "Bring it with the search tool: fetch github:bet4a/russian-troll-tweets-by-author "
                            "(or pass --source to a checkout).")
    blobs = _blobs_from_git(source) if (source / "HEAD").exists() else _blobs_from_tree(source)
    args.out.mkdir(parents=True, exist_ok=True)
    ts: list[datetime] = []
    accounts: list[str] = []
    prompts: list[str] = []
    capabilities: list[str] = []
    missing: list[str] = []
    bad_rows = 0
    categories: dict[str, str] = {}
    for path, data in blobs:
        if data is None:
            missing.append(path)
            continue
        if path == "authors.csv":
            for row in csv.DictReader(io.StringIO(data.decode("utf-8", errors="replace"))):
                categories[row["author_id"]] = row.get("account_category") or "Unknown"
            continue
        if "/" not in path:  # the other top-level files are per-author statistics, not tweets
            continue
        for row in csv.DictReader(io.StringIO(data.decode("utf-8", errors="replace"))):
            try:
                when = datetime.strptime(row["publish_date"], "%Y-%m-%d %H:%M:%S")
            except (KeyError, TypeError, ValueError):
                bad_rows += 1
                continue
            ts.append(when)
            accounts.append(row["author_id"])
            prompts.append(row["content"] or "")
            capabilities.append(POST_TYPE.get(row.get("post_type") or "", "post"))
    table = pa.table({"ts": pa.array(ts, pa.timestamp("s", tz="UTC")), "account_id": accounts,
                      "prompt": prompts, "capability": capabilities})
    pq.write_table(table, args.out / "requests.parquet")
    first: dict[str, datetime] = {}
    for account, when in zip(accounts, ts, strict=True):
        if account not in first or when < first[account]:
            first[account] = when
    with (args.out / "accounts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "created_at"])
        for account in sorted(first):
            writer.writerow([account, first[account].strftime("%Y-%m-%dT%H:%M:%SZ")])
    with (args.out / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "campaign", "population"])
        for account in sorted(first):
            writer.writerow([account, f"ira/{categories.get(account, 'Unknown')}", "ira_troll"])
    print(f"accounts {len(first)}, requests {len(ts)}, rows without a parseable publish_date {bad_rows}, "
          f"accounts without a category in authors.csv {sum(1 for a in first if a not in categories)}")
    if missing:
        print(f"{len(missing)} author files absent from the snapshot (4 MiB or more), not converted: "
              + ", ".join(Path(p).stem for p in missing))


if __name__ == "__main__":
    main()
