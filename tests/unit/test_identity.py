"""One identity rule: the loader (DuckDB) and the linkage check (Python) hash every spelling of an address
alike. Each table row is loaded through the real DuckDB staging and checked through `check_parameters`."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from graph.check import CheckSignals, check_parameters
from graph.identity import email_domain, email_hash, normalise_email
from graph.load.inputs import discover_inputs
from graph.load.pipeline import duckdb_session
from graph.load.stage import stage_file

KEY = "unit-test-hash-key"

# Spellings of one mailbox, by the canonical form the rule gives them.
SAME_MAILBOX: dict[str, list[str]] = {
    "alice@example.com": [
        "alice@example.com",
        "ALICE@EXAMPLE.COM",
        "Alice@Example.Com",
        "\u00a0alice@example.com\u00a0",  # no-break spaces
        "\u2003alice@example.com\u2003",  # em spaces
        "\u3000alice@example.com",  # ideographic space
        "\talice@example.com\n",
        "alice\u00a0@\u00a0example.com",  # no-break spaces around the @
        "alice@example.com\u200b",  # zero-width space
        "\ufeffalice@example.com",  # byte order mark
        "al\u00adice@example.com",  # soft hyphen
        "ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ",  # full-width letters
        "alice＠example．com",  # full-width @ and dot
        "alice@example.com.",  # trailing dot (the DNS root)
        "alice@example.com..",
        "alice@example。com",  # ideographic full stop
        "alice+newsletter@example.com",  # sub-address
        "Alice+A+B@Example.com",
    ],
    "i̇lker@example.com": [
        "İlker@example.com",  # capital I with dot above
        "İLKER@EXAMPLE.COM",
        "i\u0307lker@example.com",  # i + combining dot above, as case folding writes it
    ],
    "strasse@example.de": ["straße@example.de", "STRASSE@example.de", "Straße@Example.DE"],
    "user@bücher.example": ["user@bücher.example", "user@xn--bcher-kva.example", "USER@BÜCHER.EXAMPLE"],
    "bobsmith@gmail.com": [
        "bobsmith@gmail.com",
        "Bob.Smith@gmail.com",
        "b.o.b.s.m.i.t.h@GMAIL.COM",
        "bob.smith+promo@googlemail.com",
        "BOB.SMITH@GoogleMail.com.",
    ],
}
# Different mailboxes the rule must keep apart.
DIFFERENT = [
    "alice.x@example.com",  # dots count outside Gmail
    "alicex@example.com",
    "alice@example.org",
    "+alice@example.com",  # a local part that starts with + is kept whole
    "alice-news@example.com",  # "-" is not a sub-address delimiter here
    "bob.smith@outlook.com",
    "bobsmith@outlook.com",
]
SPELLINGS = [(canonical, spelling) for canonical, spellings in SAME_MAILBOX.items() for spelling in spellings]


@pytest.mark.parametrize(("canonical", "spelling"), SPELLINGS)
def test_rule_gives_the_canonical_form(canonical: str, spelling: str) -> None:
    assert normalise_email(spelling) == canonical


def test_different_mailboxes_stay_apart() -> None:
    canonical = {normalise_email(email) for email in DIFFERENT} | set(SAME_MAILBOX)
    assert len(canonical) == len(DIFFERENT) + len(SAME_MAILBOX)


def test_domains() -> None:
    assert email_domain("alice@EXAMPLE.com.") == "example.com"
    assert email_domain("x@xn--bcher-kva.example") == "bücher.example"
    assert email_domain("no address") is None
    assert email_hash("\u2003\u00a0", KEY) is None


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb_session([tmp_path]) as connection:
        yield connection


def _write_accounts(folder: Path, emails: list[str], fmt: str) -> None:
    rows = [
        {"account_id": f"acct-{i}", "created_at": "2025-01-01T00:00:00Z", "email": email}
        for i, email in enumerate(emails)
    ]
    if fmt == "csv":
        with (folder / "accounts.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["account_id", "created_at", "email"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        (folder / "accounts.jsonl").write_text(
            "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
        )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_loader_and_check_hash_alike(con: duckdb.DuckDBPyConnection, tmp_path: Path, fmt: str) -> None:
    emails = [spelling for _, spelling in SPELLINGS] + DIFFERENT
    _write_accounts(tmp_path, emails, fmt)
    staged = stage_file(con, discover_inputs(tmp_path)[0], kept=[], hash_key=KEY.encode(), bucket_minutes=10)
    loaded = con.execute(f"SELECT email_hash, email_domain FROM {staged.name} ORDER BY _row").fetchall()
    assert len(loaded) == len(emails)
    for email, (stored_hash, stored_domain) in zip(emails, loaded, strict=True):
        checked = check_parameters(CheckSignals(email=email), hash_key=KEY)
        assert stored_hash == checked["email_hash"], f"{email!r}: loader and check disagree"
        assert stored_domain == checked["email_domain"], f"{email!r}: domains disagree"
    for canonical, spellings in SAME_MAILBOX.items():
        hashes = {loaded[emails.index(spelling)][0] for spelling in spellings}
        assert hashes == {email_hash(canonical, KEY)}, canonical
    assert len({row[0] for row in loaded}) == len(SAME_MAILBOX) + len(DIFFERENT)


def test_hash_key_never_reaches_sql_text(tmp_path: Path) -> None:
    """Every statement DuckDB ran while staging, and the error of a failed one, are free of the key."""
    key = "k3y-that-must-stay-secret-0123456789"
    forms = {key, key.encode().hex(), bytes(b ^ 0x36 for b in key.encode().ljust(64, b"\0")).hex(),
             bytes(b ^ 0x5C for b in key.encode().ljust(64, b"\0")).hex()}
    _write_accounts(tmp_path, ["alice@example.com", "Bob@Example.com"], "csv")
    with duckdb.connect() as connection:  # not the locked session: the test turns DuckDB's query log on
        connection.execute("CALL enable_logging('QueryLog')")
        stage_file(connection, discover_inputs(tmp_path)[0], kept=[], hash_key=key.encode(), bucket_minutes=10)
        with pytest.raises(duckdb.Error) as failed:
            connection.execute("SELECT linkage_email_hash(42::INTEGER, 1)")
        statements = [row[0] for row in connection.execute("SELECT message FROM duckdb_logs").fetchall()]
    assert any("linkage_email_hash" in statement for statement in statements)  # the staging was logged
    for text in [*statements, str(failed.value)]:
        assert not any(form in text for form in forms)
