"""Input discovery: which tables a directory holds, in which format, and their content hashes.

A directory holds any of the tables in `TABLES`, each as `NAME.csv`, `NAME.jsonl` or `NAME.parquet`
(CSV and JSONL optionally `.gz`). `labels.*` is ground truth for evaluation and is never loaded; other
unknown files are ignored. A table's file must be a regular file; a symbolic link is followed only when
its target lies inside the folder. A compressed file (gzip, Parquet) may not decompress to more than
LINKAGE_LOAD_MAX_DECOMPRESSED. See docs/input-format.md.

    >>> TABLES["accounts"].required
    ('account_id', 'created_at')
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graph.errors import ConfigurationError, InputError

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


def check_kept_columns(kept: dict[str, list[str]]) -> None:
    """Refuse a LINKAGE_KEEP_COLUMNS that names a table without extra columns, or a column the loader
    already reads: keeping `accounts.email` would store the raw address beside its hash.

    >>> check_kept_columns({"accounts": ["segment"]})
    >>> check_kept_columns({"accounts": ["email"]})
    Traceback (most recent call last):
    ...
    graph.errors.ConfigurationError: LINKAGE_KEEP_COLUMNS names accounts.email, a column the loader already ...
    """
    for table, columns in kept.items():
        spec = TABLES.get(table)
        if spec is None or not spec.keeps_extra:
            keeping = ", ".join(name for name, candidate in TABLES.items() if candidate.keeps_extra)
            raise ConfigurationError(
                f"LINKAGE_KEEP_COLUMNS names table {table!r}, which keeps no extra columns (these do: {keeping})"
            )
        for column in columns:
            if column in spec.known:
                raise ConfigurationError(
                    f"LINKAGE_KEEP_COLUMNS names {table}.{column}, a column the loader already reads (emails are "
                    "stored only as email_hash and email_domain; card data never); keep only extra columns"
                )


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
    present twice (`accounts.csv` and `accounts.parquet`), a table's file that is not a regular file or is
    a symbolic link pointing outside the folder, or a directory without any table.
    """
    if not directory.is_dir():
        raise InputError("no such input directory", path=str(directory))
    root = directory.resolve()
    found: dict[str, InputFile] = {}
    for path in sorted(directory.iterdir()):
        match = _FILE_NAME.match(path.name)
        if match is None:
            continue
        table, rest = match["table"], match["rest"].lower()
        if table in NEVER_LOADED or table not in TABLES:
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            raise InputError(
                f"is a symbolic link to {str(path.resolve())!r}, outside the input folder; refused (copy the file "
                "into the folder)",
                path=str(path),
            )
        if not path.is_file():
            raise InputError("is not a regular file; refused", path=str(path))
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


def _too_large(input_file: InputFile, limit: int) -> InputError:
    return InputError(
        f"decompresses to more than {limit:,} bytes (LINKAGE_LOAD_MAX_DECOMPRESSED); refused as a possible "
        "decompression bomb — raise the limit if the file is genuine",
        path=str(input_file.path),
    )


def inspect_file(input_file: InputFile, *, max_decompressed: int, chunk_size: int = 1 << 20) -> str:
    """The file's SHA-256 (`file_sha256`), after checking that it decompresses to at most
    `max_decompressed` bytes: a gzip file is inflated as it is hashed (every member, in bounded chunks,
    stopping at the limit), a Parquet file's row groups declare their uncompressed size. Raises InputError
    naming the file when it is larger."""
    if input_file.format == "parquet":
        import pyarrow.parquet as pq

        try:
            metadata = pq.read_metadata(input_file.path)
        except Exception as error:  # any failure to parse the footer: DuckDB would refuse the file too
            raise InputError(f"cannot read parquet metadata: {error}", path=str(input_file.path)) from None
        declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        if declared > max_decompressed:
            raise _too_large(input_file, max_decompressed)
        return file_sha256(input_file.path, chunk_size)
    if not input_file.compressed:
        return file_sha256(input_file.path, chunk_size)
    digest = hashlib.sha256()
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    inflated = 0
    with input_file.path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
            pending = chunk
            while pending:
                try:
                    inflated += len(inflater.decompress(pending, chunk_size))
                except zlib.error as error:
                    raise InputError(f"not a valid gzip file: {error}", path=str(input_file.path)) from None
                if inflated > max_decompressed:
                    raise _too_large(input_file, max_decompressed)
                if inflater.eof:  # the next gzip member starts in what is left
                    pending = inflater.unused_data
                    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
                else:
                    pending = inflater.unconsumed_tail
    return digest.hexdigest()
