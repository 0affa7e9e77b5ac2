"""A request log with every kind of row the loader must treat alike on both engines (tests/engine)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq

from graph.synthetic import generate_dataset
from tests.unit.test_templates import make_corpus

COLUMNS = ("ts", "account_id", "ip", "api_key_id", "user_agent", "client_fingerprint", "model", "capability",
           "prompt", "input_tokens", "output_tokens")

# (what the row tests, the values that differ from a good row)
EDGE_ROWS: tuple[tuple[str, dict[str, str]], ...] = (
    ("not a time", {"ts": "yesterday"}),
    ("missing time", {"ts": ""}),
    ("impossible date", {"ts": "2025-13-40T00:00:00Z"}),
    ("offset", {"ts": "2025-03-01T10:00:00+02:00"}),
    ("no zone", {"ts": "2025-03-01 10:00:00"}),
    ("fraction", {"ts": "2025-03-01T10:00:00.123Z"}),
    ("date only", {"ts": "2025-03-01"}),
    ("negative tokens", {"input_tokens": "-5"}),
    ("text tokens", {"output_tokens": "many"}),
    ("padded tokens", {"input_tokens": " 42 "}),
    ("fractional tokens", {"input_tokens": "12.5"}),
    ("exponent tokens", {"output_tokens": "1e3"}),
    ("hexadecimal tokens", {"input_tokens": "0x10"}),
    ("signed tokens", {"input_tokens": "+7"}),
    ("infinite time", {"ts": "infinity"}),
    ("epoch number time", {"ts": "1740823200"}),
    ("malformed ip", {"ip": "999.1.1.1"}),
    ("ipv6", {"ip": "2001:DB8::1"}),
    ("mapped ipv6", {"ip": "::ffff:10.1.2.3"}),
    ("padded ip", {"ip": " 10.0.0.1 "}),
    ("leading zero ip", {"ip": "010.0.0.1"}),
    ("no account", {"account_id": "  "}),
    ("multi-line prompt", {"prompt": "Fix the bug in:\n```py\nprint('a, \"b\"')\n```\nthanks, Alice"}),
    ("empty prompt", {"prompt": ""}),
    ("quoted prompt", {"prompt": 'Explain "quantum" tunnelling to a 5 year old, please'}),
    ("no ip", {"ip": ""}),
)


def write_request_csv(folder: Path, *, rows: int = 3000) -> Path:
    """`folder/requests.csv`: `rows` requests of a generated world, each edge row after every 100th (all of them
    appear), and after every 10th a prompt from the masking tests' hostile corpus (control characters, scripts
    with unusual case rules, quotes and fences left open)."""
    generated = folder / "generated"
    if not (generated / "requests.parquet").exists():
        generate_dataset(generated, accounts=1000, seed=3, scenario="full")
    hostile = [text.replace("\x00", "") for text in make_corpus(300)]  # CSV cannot carry NUL
    good = pq.read_table(generated / "requests.parquet").slice(0, rows).to_pylist()
    path = folder / "requests.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index, row in enumerate(good):
            values = {column: "" if row.get(column) is None else str(row[column]) for column in COLUMNS}
            if isinstance(row.get("ts"), object) and hasattr(row.get("ts"), "isoformat"):
                values["ts"] = row["ts"].isoformat()
            if index % 10 == 5:
                values["prompt"] = hostile[(index // 10) % len(hostile)]
            writer.writerow([values[column] for column in COLUMNS])
            if index % 100 == 99:
                _, changes = EDGE_ROWS[(index // 100) % len(EDGE_ROWS)]
                writer.writerow([changes.get(column, values[column]) for column in COLUMNS])
    return path


def write_request_jsonl(folder: Path, source_csv: Path) -> Path:
    """`folder/requests.jsonl`: the rows of a request CSV as JSON objects (empty values left out)."""
    path = folder / "requests.jsonl"
    with source_csv.open(newline="", encoding="utf-8") as handle, path.open("w", encoding="utf-8") as out:
        for row in csv.DictReader(handle):
            out.write(json.dumps({key: value for key, value in row.items() if value != ""}) + "\n")
    return path
