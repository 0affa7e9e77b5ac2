"""No raw email or card number reaches the graph, whichever column carries it, and the check finds an account
by any spelling of its address (the loader and the check share one identity rule)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from graph.check import CheckSignals, check_parameters
from graph.db import Database, connect
from graph.errors import ConfigurationError
from graph.identity import email_hash
from graph.load import load_directory
from graph.settings import Settings
from tests.cypher import read

CREATED = "2025-01-01T00:00:00Z"
CARD = "4111.1111.1111.1111"  # passed the old check, which ignored only spaces and dashes


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _quarantine(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / "quarantine" / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def keeping(neo4j_settings: Settings) -> Iterator[Database]:
    kept = ("accounts.recovery_contact,accounts.backup_card,accounts.segment,payment_methods.note,"
            "ip_intel.abuse_contact")
    with connect(neo4j_settings.model_copy(update={"keep_columns": kept})) as database:
        yield database


def _all_property_values(database: Database) -> list[str]:
    rows = read(database, "MATCH (n) UNWIND keys(n) AS k RETURN toString(n[k]) AS v "
                          "UNION ALL MATCH ()-[r]->() UNWIND keys(r) AS k RETURN toString(r[k]) AS v")
    return [row["v"] for row in rows if row["v"] is not None]


def test_kept_columns_follow_the_card_and_email_rules(tmp_path: Path, clean_database: Database,
                                                      keeping: Database, neo4j_settings: Settings) -> None:
    folder = tmp_path / "input"
    _write_csv(folder / "accounts.csv", [
        {"account_id": "acct_a", "created_at": CREATED, "email": "a@example.com",
         "recovery_contact": "\u00a0Recovery+x@Example.COM", "backup_card": "", "segment": "pro"},
        {"account_id": "acct_b", "created_at": CREATED, "email": "b@example.com",
         "recovery_contact": "", "backup_card": CARD, "segment": "free"},
        {"account_id": "acct_c", "created_at": CREATED, "email": "c@example.com",
         "recovery_contact": "", "backup_card": "4111\u20031111\u20031111\u20031111", "segment": "free"},
    ])
    _write_csv(folder / "payment_methods.csv", [
        {"account_id": "acct_a", "fingerprint": "pm_token_1", "note": "card on file"},
        {"account_id": "acct_a", "fingerprint": "pm_token_2", "note": "4111/1111/1111/1111"},
        {"account_id": "acct_a", "fingerprint": CARD, "note": ""},
        {"account_id": "acct_a", "fingerprint": "4111_1111_1111_1111", "note": ""},
    ])
    _write_csv(folder / "ip_intel.csv", [
        {"network": "10.0.0.0/8", "kind": "corporate", "abuse_contact": "abuse@isp.example"},
    ])
    summary = load_directory(keeping, folder)
    counts = {t.table: (t.read, t.loaded, t.quarantined) for t in summary.tables}
    assert counts == {"ip_intel": (1, 1, 0), "accounts": (3, 1, 2), "payment_methods": (4, 1, 3)}
    assert [(row["field"], row["value"]) for row in _quarantine(folder, "accounts")] == [
        ("backup_card", "<redacted>"), ("backup_card", "<redacted>")]
    assert [(row["field"], row["value"]) for row in _quarantine(folder, "payment_methods")] == [
        ("note", "<redacted>"), ("fingerprint", "<redacted>"), ("fingerprint", "<redacted>")]
    key = neo4j_settings.hash_key.get_secret_value()
    account = read(keeping, "MATCH (a:Account {account_id: 'acct_a'}) RETURN a.recovery_contact AS r, "
                            "a.segment AS s")[0]
    assert account == {"r": "email-hmac-sha256:" + email_hash("recovery@example.com", key), "s": "pro"}
    network = read(keeping, "MATCH (n:Network) RETURN n.abuse_contact AS c")[0]["c"]
    assert network == "email-hmac-sha256:" + email_hash("abuse@isp.example", key)
    values = _all_property_values(keeping)
    assert values, "the graph holds data"
    assert not [value for value in values if "@" in value or "4111111111111111" in re.sub(r"\D", "", value)]
    for folder_file in (folder / "quarantine").iterdir():
        assert "4111" not in folder_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("kept", ["accounts.email", "payment_methods.fingerprint", "requests.user_agent"])
def test_keeping_a_contract_column_is_refused(tmp_path: Path, clean_database: Database,
                                              neo4j_settings: Settings, kept: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "input"
    _write_csv(folder / "accounts.csv", [{"account_id": "acct_a", "created_at": CREATED, "email": "a@example.com"}])
    with connect(neo4j_settings.model_copy(update={"keep_columns": kept})) as database, \
            pytest.raises(ConfigurationError, match="LINKAGE_KEEP_COLUMNS"):
        load_directory(database, folder)
    assert read(clean_database, "MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    for name, value in {"NEO4J_URI": neo4j_settings.neo4j_uri, "LINKAGE_ENV": "test", "LINKAGE_KEEP_COLUMNS": kept,
                        "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value()}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["load", str(folder)])
    assert result.exit_code == 2 and "LINKAGE_KEEP_COLUMNS" in result.stderr


SPELLINGS = {  # loaded as → checked as
    "İlker@Example.com": "i\u0307lker@example.com",
    "\u00a0nbsp@example.com\u00a0": "NBSP@EXAMPLE.COM",
    "\u2003em@example.com": "em@example.com\u2003",
    "ｆｕｌｌ@ｅｘａｍｐｌｅ.ｃｏｍ": "full@example.com",
    "dot@example.com.": "DOT@Example.Com",
    "Bob.Smith+farm17@gmail.com": "bobsmith@googlemail.com",
    "straße@example.de": "STRASSE@EXAMPLE.DE",
}


def test_check_finds_accounts_by_any_spelling(tmp_path: Path, clean_database: Database,
                                              neo4j_settings: Settings) -> None:
    folder = tmp_path / "input"
    (folder).mkdir()
    (folder / "accounts.jsonl").write_text("".join(
        json.dumps({"account_id": f"acct_{i}", "created_at": CREATED, "email": loaded}) + "\n"
        for i, loaded in enumerate(SPELLINGS)), encoding="utf-8")
    load_directory(clean_database, folder)
    key = neo4j_settings.hash_key.get_secret_value()
    for i, checked in enumerate(SPELLINGS.values()):
        email_param = check_parameters(CheckSignals(email=checked), hash_key=key)["email_hash"]
        found = read(clean_database, "MATCH (a:Account {email_hash: $h}) RETURN a.account_id AS id", {"h": email_param})
        assert found == [{"id": f"acct_{i}"}], checked
