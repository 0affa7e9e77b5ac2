"""app/schema.graphql is the exported SDL; this fails when the code's schema drifts from it.

Regenerate with `linkage serve --write-schema app/schema.graphql`.
"""

from __future__ import annotations

from pathlib import Path

from app.api.schema import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "app" / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == export_sdl(), \
        "app/schema.graphql is stale: run `linkage serve --write-schema app/schema.graphql`"


def test_schema_has_the_operations() -> None:
    sdl = export_sdl()
    for operation in ("clusters(", "cluster(", "account(", "linkage(", "infrastructure(", "check(",
                      "setCaseStatus(", "addNote("):
        assert operation in sdl
