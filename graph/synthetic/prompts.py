"""Rendered prompt pools and the vectorised assembly of per-request prompts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.synthetic.config import CAPABILITIES
from graph.synthetic.ids import format_hex_ids, to_string_array
from graph.synthetic.randomness import draw_unique_ids
from graph.synthetic.templates import ASIDES, CATALOG, EVALUATION, LEGIT, PIVOT, PROXY, REASONING, Template
from graph.synthetic.vocabulary import SlotValues

_VARIANTS = {LEGIT: 200, EVALUATION: 10}
_CAMPAIGN_VARIANTS = 40
_ASIDE_RENDERINGS = 4_000
# Share of legitimate-template prompts that carry a personal aside.
_ASIDE_SHARE = 0.6


@dataclass
class PromptPool:
    """All rendered halves plus per-template lookup arrays (index = position in CATALOG)."""

    heads: pa.Array
    tails: pa.Array
    asides: pa.Array
    head_lengths: np.ndarray
    tail_lengths: np.ndarray
    aside_lengths: np.ndarray
    takes_aside: np.ndarray
    head_offset: np.ndarray
    tail_offset: np.ndarray
    variants: np.ndarray
    capability: np.ndarray
    context_tokens: np.ndarray
    output_tokens: np.ndarray
    template_ids: pa.Array

    def draw_parts(
        self, rng: np.random.Generator, templates: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pick a rendered head, tail and aside (0 = none) for each row's template."""
        nv = self.variants[templates]
        head = self.head_offset[templates] + (rng.random(templates.size) * nv).astype(np.int64)
        tail = self.tail_offset[templates] + (rng.random(templates.size) * nv).astype(np.int64)
        with_aside = self.takes_aside[templates] & (rng.random(templates.size) < _ASIDE_SHARE)
        aside = np.where(with_aside, rng.integers(1, len(self.asides), templates.size), 0)
        return head, tail, aside

    def assemble(self, head: np.ndarray, tail: np.ndarray, aside: np.ndarray) -> pa.Array:
        """The prompt text of each row: its head, its tail, then its aside."""
        return pc.binary_join_element_wise(
            self.heads.take(pa.array(head)),
            self.tails.take(pa.array(tail)),
            self.asides.take(pa.array(aside)),
            "",
        )

    def prompt_chars(self, head: np.ndarray, tail: np.ndarray, aside: np.ndarray) -> np.ndarray:
        """Character length of each row's prompt (without building it)."""
        return self.head_lengths[head] + self.tail_lengths[tail] + self.aside_lengths[aside]


def vary_whitespace(text: str, rng: np.random.Generator) -> str:
    """Human-style noise: stray spaces, doubled blank lines, a lowercase start, trailing newlines."""
    roll = rng.random()
    if roll < 0.12:
        return " " + text
    if roll < 0.24:
        return text + "\n"
    if roll < 0.34:
        return text.replace(". ", ".  ", 1)
    if roll < 0.44 and text[:1].isupper():
        return text[:1].lower() + text[1:]
    if roll < 0.5:
        return text.replace("\n", "\n\n", 1)
    if roll < 0.56:
        return text + "  "
    return text


def render_half(template_text: str, rng: np.random.Generator) -> str:
    """One rendering of a template half with fresh slot values."""
    return vary_whitespace(template_text.format_map(SlotValues(rng)), rng)


def build_prompt_pool(rng: np.random.Generator) -> PromptPool:
    """Render every template's heads and tails and index them."""
    heads: list[str] = []
    tails: list[str] = []
    offsets: list[int] = []
    variants: list[int] = []
    for template in CATALOG:
        count = _VARIANTS.get(template.group, _CAMPAIGN_VARIANTS)
        offsets.append(len(heads))
        variants.append(count)
        heads.extend(render_half(template.head, rng) for _ in range(count))
        tails.extend(render_half(template.tail, rng) for _ in range(count))
    ids = format_hex_ids("tpl_", draw_unique_ids(rng, len(CATALOG), 32), 8)
    picks = rng.integers(0, len(ASIDES), _ASIDE_RENDERINGS)
    asides = [""] + [ASIDES[i].format_map(SlotValues(rng)) for i in picks.tolist()]
    return PromptPool(
        heads=pa.array(heads, pa.string()),
        tails=pa.array(tails, pa.string()),
        asides=pa.array(asides, pa.string()),
        head_lengths=np.array([len(h) for h in heads], dtype=np.int64),
        tail_lengths=np.array([len(t) for t in tails], dtype=np.int64),
        aside_lengths=np.array([len(a) for a in asides], dtype=np.int64),
        takes_aside=np.array([t.group == LEGIT for t in CATALOG]),
        head_offset=np.array(offsets, dtype=np.int64),
        tail_offset=np.array(offsets, dtype=np.int64),
        variants=np.array(variants, dtype=np.int64),
        capability=np.array([CAPABILITIES.index(t.capability) for t in CATALOG], dtype=np.int64),
        context_tokens=np.array([t.context_tokens for t in CATALOG], dtype=np.float64),
        output_tokens=np.array([t.output_tokens for t in CATALOG], dtype=np.float64),
        template_ids=to_string_array(ids),
    )


@dataclass(frozen=True)
class TemplateSet:
    """A weighted choice of templates (indices into CATALOG)."""

    templates: np.ndarray
    cumulative: np.ndarray

    def draw(self, u: np.ndarray) -> np.ndarray:
        """Map uniform numbers to templates of this set."""
        return self.templates[
            np.searchsorted(self.cumulative, u, side="right").clip(0, self.templates.size - 1)
        ]


def make_template_set(groups: dict[str, float], capabilities: tuple[str, ...] | None = None) -> TemplateSet:
    """A set mixing template groups with the given total weights (optionally only some capabilities)."""
    chosen: list[int] = []
    weights: list[float] = []
    for group, group_weight in groups.items():
        members = [
            i
            for i, t in enumerate(CATALOG)
            if t.group == group and (capabilities is None or group != LEGIT or t.capability in capabilities)
        ]
        total = sum(CATALOG[i].weight for i in members)
        chosen.extend(members)
        weights.extend(group_weight * CATALOG[i].weight / total for i in members)
    w = np.array(weights)
    return TemplateSet(np.array(chosen, dtype=np.int64), np.cumsum(w) / w.sum())


def templates_of(group: str) -> list[Template]:
    """Templates of one group (used by tests and docs)."""
    return [t for t in CATALOG if t.group == group]


# Set ids stored per account (and per row for the pivot campaign).
SET_LEGIT, SET_EVALUATION, SET_PROXY, SET_REASONING, SET_PIVOT_BEFORE, SET_PIVOT_AFTER = range(6)


def build_template_sets() -> list[TemplateSet]:
    """The template sets indexed by the SET_* constants."""
    return [
        make_template_set({LEGIT: 1.0}),
        make_template_set({EVALUATION: 1.0}),
        # 15% ordinary chat as camouflage.
        make_template_set({PROXY: 0.85, LEGIT: 0.15}, capabilities=("chat",)),
        make_template_set({REASONING: 1.0}),
        # Before the release the pivot campaign looks half ordinary; afterwards it goes for coding/reasoning.
        make_template_set({PIVOT: 0.5, LEGIT: 0.5}, capabilities=("chat", "coding", "writing")),
        make_template_set({PIVOT: 0.92, LEGIT: 0.08}, capabilities=("chat",)),
    ]
