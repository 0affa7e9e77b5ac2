"""Template ids: grouping within a file, matching stored templates across loads, resume determinism."""

from __future__ import annotations

from graph.load.fingerprints import StoredTemplate, assign_template_ids
from graph.load.templates import band_keys, template_id

BASE = "summarise the following support ticket for <name> and list the <num> most urgent action items clearly"
NEAR = BASE.replace("clearly", "briefly")
OTHER = "translate this paragraph into <str> keeping the formal tone"


def test_near_duplicates_share_one_id_within_a_file() -> None:
    mapping, info = assign_template_ids({BASE: 5, NEAR: 2, OTHER: 1}, [], file_id="f1")
    assert mapping[BASE] == mapping[NEAR] == template_id(BASE)
    assert mapping[OTHER] == template_id(OTHER)
    assert info[template_id(BASE)] == (BASE, band_keys(BASE))


def test_a_later_file_reuses_a_stored_near_duplicate() -> None:
    stored = [StoredTemplate(template_id(BASE), BASE, tuple(band_keys(BASE)), "f1")]
    mapping, info = assign_template_ids({NEAR: 3}, stored, file_id="f2")
    assert mapping[NEAR] == template_id(BASE)
    assert info == {}


def test_resume_decides_as_the_first_attempt() -> None:
    first, _ = assign_template_ids({NEAR: 3, OTHER: 1}, [], file_id="f2")
    # the interrupted attempt created this file's templates; they are not candidates for its own rerun
    created = [
        StoredTemplate(
            t,
            NEAR if t == template_id(NEAR) else OTHER,
            tuple(band_keys(NEAR if t == template_id(NEAR) else OTHER)),
            "f2",
        )
        for t in set(first.values())
    ]
    again, _ = assign_template_ids({NEAR: 3, OTHER: 1}, created, file_id="f2")
    assert again == first
