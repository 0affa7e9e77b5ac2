"""Input discovery: which tables a directory holds, in which format, and their content hashes.

A directory holds any of the tables in `TABLES`, each as `NAME.csv`, `NAME.jsonl` or `NAME.parquet`
(CSV and JSONL optionally `.gz`). `labels.*` is ground truth for evaluation and is never loaded; other
unknown files are ignored. See docs/input-format.md.

    >>> TABLES["accounts"].required
    ('account_id', 'created_at')
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graph.errors import InputError

Format = Literal["csv", "jsonl", "parquet"]

# Tables in the order they are loaded: networks first (IPs resolve against them), then accounts, their
# payment methods, and the request log.
LOAD_ORDER: tuple[str, ...] = ("ip_intel", "accounts", "payment_methods", "requests")
NEVER_LOADED = frozenset({"labels"})
_FILE_NAME = re.compile(r"^(?P<table>[A-Za-z0-9_]+)\.(?P<rest>.+)$")
_FORMATS: dict[str, tuple[Format, bool]] = {
    "csv": ("csv", False),
    "csv.gz": ("csv", True),
    "jsonl": ("jsonl", False),
    "jsonl.gz": ("jsonl", True),
    "parquet": ("parquet", False),
}


@dataclass(frozen=True)
class TableSpec:
    """The columns of one input table; `keeps_extra` when LINKAGE_KEEP_COLUMNS may name extra columns."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    keeps_extra: bool = False

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


TABLES: dict[str, TableSpec] = {
    "accounts": TableSpec(
        "accounts",
        ("account_id", "created_at"),
        ("email", "email_domain", "country", "org_id", "tier", "signup_ip", "status"),
        keeps_extra=True,
    ),
    "payment_methods": TableSpec(
        "payment_methods",
        ("account_id", "fingerprint"),
        ("kind", "issuer_country", "added_at"),
        keeps_extra=True,
    ),
    "requests": TableSpec(
        "requests",
        ("ts", "account_id"),
        (
            "ip",
            "api_key_id",
            "user_agent",
            "client_fingerprint",
            "model",
            "capability",
            "prompt",
            "prompt_template",
            "input_tokens",
            "output_tokens",
        ),
    ),
    "ip_intel": TableSpec(
        "ip_intel",
        ("network",),
        ("asn", "asn_org", "kind", "proxy_network", "is_vpn", "is_tor"),
        keeps_extra=True,
    ),
}


@dataclass(frozen=True)
class InputFile:
    """One input table's file."""

    table: str
    path: Path
    format: Format
    compressed: bool

    @property
    def spec(self) -> TableSpec:
        return TABLES[self.table]


def discover_inputs(directory: Path) -> list[InputFile]:
    """The input files of `directory`, in load order.

    Raises InputError for a missing directory, a table in an unsupported format (`accounts.xlsx`), a table
    present twice (`accounts.csv` and `accounts.parquet`), or a directory without any table.
    """
    if not directory.is_dir():
        raise InputError("no such input directory", path=str(directory))
    found: dict[str, InputFile] = {}
    for path in sorted(directory.iterdir()):
        match = _FILE_NAME.match(path.name)
        if not path.is_file() or match is None:
            continue
        table, rest = match["table"], match["rest"].lower()
        if table in NEVER_LOADED or table not in TABLES:
            continue
        if rest not in _FORMATS:
            raise InputError(
                f"unsupported format {rest!r} for table {table} (use .csv, .jsonl, .parquet; .csv.gz, "
                ".jsonl.gz)",
                path=str(path),
            )
        if table in found:
            raise InputError(f"table {table} is given twice (also {found[table].path.name})", path=str(path))
        fmt, compressed = _FORMATS[rest]
        found[table] = InputFile(table, path, fmt, compressed)
    if not found:
        raise InputError(f"no input tables ({', '.join(LOAD_ORDER)}) found", path=str(directory))
    return [found[table] for table in LOAD_ORDER if table in found]


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, hex: the file's identity in the load ledger (`LoadedFile.file_id`)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
