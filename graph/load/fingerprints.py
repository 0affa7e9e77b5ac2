"""Prompt template ids for one request file: group its masked prompts, match them to stored templates.

1. The file's distinct masked prompts (masked in DuckDB by `mask_prompt_sql`) are grouped with
   `group_templates`; each group's canonical masked text is its *representative*.
2. A group whose own id is already a stored template keeps it. Otherwise its representative's LSH
   `band_keys` select stored templates as candidates; the most similar one with shingle Jaccard ≥ the
   threshold (representative and skeleton both cut to `SKELETON_CHARS`) gives the id, else the group's own.
   Templates created by this same file (`first_file_id`) are not candidates, so a resumed load decides
   exactly as the interrupted one did.

The result is the DuckDB table `template_map(masked, template_id)` and `template_info(template_id,
skeleton, band_keys)` for the templates to create.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from graph.load.templates import band_keys, group_templates, shingle_jaccard, template_id

SKELETON_CHARS = 200
THRESHOLD = 0.8


@dataclass(frozen=True)
class StoredTemplate:
    """A PromptTemplate already in the graph."""

    template_id: str
    skeleton: str
    band_keys: tuple[str, ...]
    first_file_id: str | None


def assign_template_ids(
    masked_counts: Mapping[str, int],
    stored: Iterable[StoredTemplate],
    *,
    file_id: str,
    threshold: float = THRESHOLD,
) -> tuple[dict[str, str], dict[str, tuple[str, list[str]]]]:
    """(masked text → template id, new template id → (skeleton, band keys)). Deterministic."""
    groups = group_templates(masked_counts, threshold=threshold)
    representative = {group: text for text, group in groups.items() if template_id(text) == group}
    stored_list = list(stored)
    stored_ids = {template.template_id for template in stored_list}
    by_key: dict[str, list[StoredTemplate]] = {}
    for template in stored_list:
        if template.first_file_id == file_id:
            continue
        for key in template.band_keys:
            by_key.setdefault(key, []).append(template)
    final: dict[str, str] = {}
    info: dict[str, tuple[str, list[str]]] = {}
    for group, text in sorted(representative.items()):
        keys = band_keys(text)
        if group in stored_ids:
            final[group] = group
            continue
        best: tuple[float, str] | None = None
        seen: set[str] = set()
        for key in keys:
            for candidate in by_key.get(key, ()):
                if candidate.template_id in seen:
                    continue
                seen.add(candidate.template_id)
                similarity = shingle_jaccard(text[:SKELETON_CHARS], candidate.skeleton)
                if similarity >= threshold and (
                    best is None or (-similarity, candidate.template_id) < (-best[0], best[1])
                ):
                    best = (similarity, candidate.template_id)
        final[group] = best[1] if best else group
        if best is None:
            info[group] = (text[:SKELETON_CHARS], keys)
    return {text: final[group] for text, group in groups.items()}, info


def create_template_tables(
    con: duckdb.DuckDBPyConnection, mapping: Mapping[str, str], info: Mapping[str, tuple[str, list[str]]]
) -> None:
    """Create DuckDB tables `template_map(masked, template_id)` and `template_info`."""
    con.register(
        "_template_map",
        pa.table(
            {
                "masked": pa.array(list(mapping), pa.string()),
                "template_id": pa.array(list(mapping.values()), pa.string()),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE template_map AS SELECT * FROM _template_map")
    con.unregister("_template_map")
    con.register(
        "_template_info",
        pa.table(
            {
                "template_id": pa.array(list(info), pa.string()),
                "skeleton": pa.array([value[0] for value in info.values()], pa.string()),
                "band_keys": pa.array([value[1] for value in info.values()], pa.list_(pa.string())),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE template_info AS SELECT * FROM _template_info")
    con.unregister("_template_info")
