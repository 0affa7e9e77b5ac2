"""Hostile input folders against the real loader (DuckDB and Neo4j): injected SQL, planted symlinks,
spreadsheet formulas, decompression bombs, file permissions. Each test names what an attacker controls
(the input folder's contents) and checks that nothing leaves the loader's sandbox."""

from __future__ import annotations

import csv
import gzip
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pydantic import ByteSize
from typer.testing import CliRunner

from app.audit import record_cli
from app.cli import app
from graph.db import Database, connect
from graph.errors import InputError
from graph.load import load_directory
from graph.load.pipeline import duckdb_session
from graph.settings import Settings
from tests.conftest import forget_graph_contents
from tests.cypher import read

CREATED = "2025-01-01T00:00:00Z"


def _files_under(*folders: Path) -> set[Path]:
    return {path for folder in folders for path in folder.rglob("*")}


def _accounts_jsonl(folder: Path, rows: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _accounts_csv(folder: Path, rows: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "accounts.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _quarantine_rows(folder: Path, table: str = "accounts") -> list[dict[str, str]]:
    with (folder / "quarantine" / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _account_ids(database: Database) -> list[str]:
    return sorted(row["id"] for row in read(database, "MATCH (a:Account) RETURN a.account_id AS id"))


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (relative paths in injected SQL would land here)."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_malicious_jsonl_key_creates_no_file(tmp_path: Path, workdir: Path, clean_database: Database) -> None:
    """A JSONL key crafted to close the reader's column list and append a COPY (it wrote the file before)."""
    folder = tmp_path / "input"
    target = tmp_path / "owned.csv"
    keys = [
        "x': 'VARCHAR'}); COPY (SELECT 42 AS owned) TO '" + str(target) + "'; --",
        "y'}); COPY (SELECT 42) TO 'p.csv'; --",
        'z"); COPY (SELECT 42) TO \'q.csv\'; --',
    ]
    rows: list[dict[str, str]] = [{"account_id": "acct_good", "created_at": CREATED}]
    rows += [{"account_id": f"acct_bad_{i}", "created_at": CREATED, key: "v"} for i, key in enumerate(keys)]
    _accounts_jsonl(folder, rows)
    before = _files_under(tmp_path)

    summary = load_directory(clean_database, folder)

    created = _files_under(tmp_path) - before
    assert not target.exists()
    assert {path.relative_to(folder) for path in created} == {Path("quarantine"), Path("quarantine/accounts.csv")}
    quarantined = _quarantine_rows(folder)
    assert [(row["line"], row["field"], row["value"]) for row in quarantined] == [
        (str(i + 2), key, "v") for i, key in enumerate(keys)
    ]
    assert all("column name is not plain text" in row["reason"] for row in quarantined)
    assert (summary.tables[0].read, summary.tables[0].loaded, summary.tables[0].quarantined) == (4, 1, 3)
    assert _account_ids(clean_database) == ["acct_good"]


def test_duckdb_session_is_sandboxed(tmp_path: Path) -> None:
    """Even SQL that reached DuckDB could read only the input files and write nothing."""
    readable = tmp_path / "accounts.csv"
    readable.write_text("account_id\na\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the loader\n")
    with duckdb_session([readable]) as con:
        assert con.execute("SELECT count(*) FROM read_csv($p)", {"p": str(readable)}).fetchall() == [(1,)]
        refused = [
            f"SELECT * FROM read_csv('{secret}')",
            "SELECT * FROM read_csv('/etc/passwd')",
            f"COPY (SELECT 42) TO '{tmp_path / 'written.csv'}'",
            "COPY (SELECT 42) TO 'written.csv'",
            f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "SET allowed_directories = ['/']",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SELECT * FROM read_csv('https://example.com/x.csv')",
        ]
        for statement in refused:
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["accounts.csv", "secret.txt"]


def test_quarantine_does_not_follow_planted_symlinks(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "input"
    _accounts_csv(folder, [{"account_id": "acct_a", "created_at": CREATED, "country": "not a country"}])
    victims = {name: tmp_path / f"victim-{name}" for name in ("tmp", "final")}
    for victim in victims.values():
        victim.write_text("precious\n")
    quarantine = folder / "quarantine"
    quarantine.mkdir()
    (quarantine / "accounts.csv.tmp").symlink_to(victims["tmp"])  # the old temporary name
    (quarantine / "accounts.csv").symlink_to(victims["final"])

    load_directory(clean_database, folder)

    assert all(victim.read_text() == "precious\n" for victim in victims.values())
    written = quarantine / "accounts.csv"
    assert not written.is_symlink() and written.is_file()
    assert [row["field"] for row in _quarantine_rows(folder)] == ["country"]
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_quarantine_folder_that_is_a_symlink_is_refused(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "input"
    _accounts_csv(folder, [{"account_id": "acct_a", "created_at": CREATED, "country": "not a country"}])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "quarantine").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="quarantine folder is a symbolic link"):
        load_directory(clean_database, folder)
    assert list(elsewhere.iterdir()) == []
    assert _account_ids(clean_database) == []


def test_input_symlink_outside_the_folder_is_refused(tmp_path: Path, clean_database: Database) -> None:
    outside = tmp_path / "outside"
    _accounts_csv(outside, [{"account_id": "acct_a", "created_at": CREATED}])
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "accounts.csv").symlink_to(outside / "accounts.csv")
    with pytest.raises(InputError) as refused:
        load_directory(clean_database, folder)
    message = str(refused.value)
    assert "accounts.csv" in message and str(outside / "accounts.csv") in message and "outside" in message
    assert _account_ids(clean_database) == []
    # a link to a file inside the folder is fine
    (folder / "accounts.csv").unlink()
    (outside / "accounts.csv").rename(folder / "accounts-2025.csv")
    (folder / "accounts.csv").symlink_to(folder / "accounts-2025.csv")
    load_directory(clean_database, folder)
    assert _account_ids(clean_database) == ["acct_a"]


def test_input_that_is_not_a_regular_file_is_refused(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    os.mkfifo(folder / "accounts.csv")  # reading it would block the loader forever
    with pytest.raises(InputError, match="not a regular file"):
        load_directory(clean_database, folder)


def test_spreadsheet_formulas_are_neutralised_in_quarantine(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "input"
    payloads = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "  =1+1", "＝1+1"]
    rows = [{"account_id": f"acct_{i}", "created_at": CREATED, "country": payload}
            for i, payload in enumerate(payloads)]
    rows.append({"account_id": "acct_neg", "created_at": "-5", "country": "US"})
    _accounts_csv(folder, rows)
    load_directory(clean_database, folder)
    values = [row["value"] for row in _quarantine_rows(folder)]
    assert values[:-1] == ["'" + payload.strip(" ") for payload in payloads]  # (the loader trims spaces)
    assert values[-1] == "-5"  # a plain number is read as a number, never run
    # the reading side: no cell starts with a character a spreadsheet would execute
    with (folder / "quarantine" / "accounts.csv").open(newline="", encoding="utf-8") as handle:
        for record in csv.reader(handle):
            for cell in record:
                assert cell == "-5" or not cell.lstrip(" ") or cell.lstrip(" ")[0] not in "=+-@＝\t\r", cell


@pytest.fixture()
def capped(neo4j_settings: Settings) -> Iterator[Database]:
    """The session's server, with a 1 MB decompression limit."""
    settings = neo4j_settings.model_copy(update={"load_max_decompressed": ByteSize(1_000_000)})
    with connect(settings) as database:
        yield database


def _request_lines(count: int) -> bytes:
    line = json.dumps({"ts": CREATED, "account_id": "acct_a", "prompt": "x" * 200}) + "\n"
    return (line * count).encode()


def test_gzip_bomb_is_refused_with_the_file_named(tmp_path: Path, clean_database: Database,
                                                   capped: Database) -> None:
    folder = tmp_path / "input"
    _accounts_csv(folder, [{"account_id": "acct_a", "created_at": CREATED}])
    bomb = _request_lines(10_000)  # ~2.4 MB inflated, a few KB compressed
    # two gzip members: the limit counts every member, not only the first
    half = len(bomb) // 2
    (folder / "requests.jsonl.gz").write_bytes(gzip.compress(bomb[:half]) + gzip.compress(bomb[half:]))
    assert (folder / "requests.jsonl.gz").stat().st_size < 50_000
    with pytest.raises(InputError) as refused:
        load_directory(capped, folder)
    message = str(refused.value)
    assert "requests.jsonl.gz" in message and "LINKAGE_LOAD_MAX_DECOMPRESSED" in message
    assert "decompresses to more than 1,000,000 bytes" in message
    forget_graph_contents()
    # the same file under the limit loads
    (folder / "requests.jsonl.gz").write_bytes(gzip.compress(_request_lines(1_000)))
    load_directory(capped, folder)
    assert read(capped, "MATCH (a:Account {account_id: 'acct_a'}) RETURN a.requests AS n")[0]["n"] == 1_000


def test_gzip_bomb_exits_2_from_the_cli(tmp_path: Path, neo4j_settings: Settings, clean_database: Database,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "input"
    _accounts_csv(folder, [{"account_id": "acct_a", "created_at": CREATED}])
    (folder / "accounts.csv").rename(folder / "plain.csv")
    (folder / "accounts.csv.gz").write_bytes(gzip.compress((folder / "plain.csv").read_bytes() + b"\n" * 3_000_000))
    for name, value in {"NEO4J_URI": neo4j_settings.neo4j_uri, "LINKAGE_ENV": "test",
                        "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value(),
                        "LINKAGE_LOAD_MAX_DECOMPRESSED": "2MB"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["load", str(folder)])
    assert result.exit_code == 2
    message = result.stderr.replace("\n", "")  # the console wraps long lines
    assert "accounts.csv.gz" in message and "decompresses to more than 2,000,000 bytes" in message


def test_written_files_are_private(tmp_path: Path, clean_database: Database) -> None:
    previous = os.umask(0o022)  # a common, permissive default: files would be world-readable
    try:
        folder = tmp_path / "input"
        _accounts_csv(folder, [{"account_id": "acct_a", "created_at": CREATED, "country": "not a country"}])
        load_directory(clean_database, folder)
        audit = tmp_path / "audit" / "audit.jsonl"
        record_cli(audit, "cli.test", checked=1)
    finally:
        os.umask(previous)
    for path in (folder / "quarantine" / "accounts.csv", audit):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (folder / "quarantine", audit.parent):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_odd_column_names_are_data(tmp_path: Path, clean_database: Database) -> None:
    """Quotes, newlines, NUL, markup, formulas, 5,000 characters: as column names they are text to report,
    never SQL, terminal markup or spreadsheet formulas."""
    folder = tmp_path / "input"
    names = ['a"b', "line\nbreak", "nul\u0000byte", "[red]markup[/red]", "=cmd|' /C calc'!A0", "x" * 5000]
    plain = ["ünïcödé spalte", "Signup date (UTC)"]
    rows = [{"account_id": "acct_good", "created_at": CREATED, **dict.fromkeys(plain, "kept out")}]
    rows += [{"account_id": f"acct_{i}", "created_at": CREATED, name: "v"} for i, name in enumerate(names)]
    _accounts_jsonl(folder, rows)
    summary = load_directory(clean_database, folder)
    assert (summary.tables[0].read, summary.tables[0].loaded, summary.tables[0].quarantined) == (7, 1, 6)
    fields = [row["field"] for row in _quarantine_rows(folder)]
    assert fields == [*names[:4], "'" + names[4], "x" * 128 + "…"]
    warning = " ".join(summary.tables[0].warnings)
    assert "'line\\nbreak'" in warning and "'nul\\x00byte'" in warning  # shown escaped
    assert _account_ids(clean_database) == ["acct_good"]


def test_jsonl_without_a_common_shape_is_a_clear_error(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "input"
    _accounts_jsonl(folder, [{"account_id": "acct_a", "created_at": CREATED}])
    with (folder / "accounts.jsonl").open("a") as handle:
        handle.write('{"": "empty key"}\n')
    with pytest.raises(InputError, match=r"accounts\.jsonl: cannot find the keys of this JSONL file"):
        load_directory(clean_database, folder)


def test_read_only_input_folder_names_the_quarantine_option(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "input"
    _accounts_csv(folder, [{"account_id": "acct_a", "created_at": CREATED}])
    (folder / "quarantine").write_text("a file where the folder should be\n")
    with pytest.raises(InputError, match=r"cannot create the quarantine folder .*--quarantine PATH"):
        load_directory(clean_database, folder)
    load_directory(clean_database, folder, quarantine_dir=tmp_path / "elsewhere")
    assert _account_ids(clean_database) == ["acct_a"]
