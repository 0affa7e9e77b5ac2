"""Rendered prompt pools and the vectorised assembly of per-request prompts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.synthetic.config import CAPABILITIES
from graph.synthetic.ids import format_hex_ids, to_string_array
from graph.synthetic.randomness import draw_unique_ids
from graph.synthetic.templates import (
    AGENT,
    ASIDES,
    BENCHMARK,
    CATALOG,
    CURRICULUM,
    CURRICULUM_DETAILS,
    EDITOR,
    EVALUATION,
    EXTENDED_CATALOG,
    LEGIT,
    PAYLOAD,
    PIVOT,
    PROXY,
    REASONING,
    STARTER,
    Template,
)
from graph.synthetic.vocabulary import SlotValues

FULL_CATALOG: tuple[Template, ...] = CATALOG + EXTENDED_CATALOG

_VARIANTS = {LEGIT: 200, EVALUATION: 10}
_CAMPAIGN_VARIANTS = 40
_ASIDE_RENDERINGS = 4_000
# Share of legitimate-template prompts that carry a personal aside.
_ASIDE_SHARE = 0.6
_DETAIL_RENDERINGS = 3_000


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
    # Per template: renderings of the head (the tail has `variants`) and whether an account's own head
    # replaces it; the numeric template ids behind `template_ids`.
    head_variants: np.ndarray
    takes_head: np.ndarray
    template_numbers: np.ndarray
    # The full scenario's extras: curriculum task details (index 0 = none) and where the per-account head
    # texts start in `heads` and the per-account suffixes in `asides`.
    details: pa.Array = field(default_factory=lambda: pa.array([""], pa.string()))
    detail_lengths: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    own_heads_offset: int = 0
    own_suffixes_offset: int = 0

    def draw_parts(
        self, rng: np.random.Generator, templates: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pick a rendered head, tail and aside (0 = none) for each row's template."""
        nv = self.variants[templates]
        head = self.head_offset[templates] + (rng.random(templates.size) * self.head_variants[templates]).astype(
            np.int64
        )
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

    def assemble_with_details(
        self, head: np.ndarray, tail: np.ndarray, aside: np.ndarray, detail: np.ndarray
    ) -> pa.Array:
        """Like `assemble`, with a task detail between the tail and the aside (full scenario)."""
        return pc.binary_join_element_wise(
            self.heads.take(pa.array(head)),
            self.tails.take(pa.array(tail)),
            self.details.take(pa.array(detail)),
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


def render_half(template_text: str, rng: np.random.Generator, exact: bool = False) -> str:
    """One rendering of a template half with fresh slot values (whitespace noise unless `exact`)."""
    text = template_text.format_map(SlotValues(rng))
    return text if exact else vary_whitespace(text, rng)


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
    numbers = draw_unique_ids(rng, len(CATALOG), 32)
    ids = format_hex_ids("tpl_", numbers, 8)
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
        head_variants=np.array(variants, dtype=np.int64),
        takes_head=np.zeros(len(CATALOG), dtype=bool),
        template_numbers=numbers,
    )


def extend_prompt_pool(
    pool: PromptPool, rng: np.random.Generator, own_heads: list[str], own_suffixes: list[str]
) -> PromptPool:
    """Add the full scenario's templates (EXTENDED_CATALOG), curriculum details, and the per-account head
    and suffix texts to a classic pool. Classic entries keep their positions and ids."""
    heads: list[str] = []
    tails: list[str] = []
    head_offset: list[int] = []
    tail_offset: list[int] = []
    head_variants: list[int] = []
    tail_variants: list[int] = []
    first_head, first_tail = len(pool.heads), len(pool.tails)
    for template in EXTENDED_CATALOG:
        nh = template.head_variants or _CAMPAIGN_VARIANTS
        nt = template.tail_variants or _CAMPAIGN_VARIANTS
        head_offset.append(first_head + len(heads))
        tail_offset.append(first_tail + len(tails))
        head_variants.append(nh)
        tail_variants.append(nt)
        heads.extend(render_half(template.head, rng, template.exact) for _ in range(nh))
        tails.extend(render_half(template.tail, rng, template.exact) for _ in range(nt))
    taken = set(pool.template_numbers.tolist())
    numbers = draw_unique_ids(rng, len(EXTENDED_CATALOG) + len(taken), 32)
    numbers = np.array([v for v in numbers.tolist() if v not in taken][: len(EXTENDED_CATALOG)], np.uint64)
    picks = rng.integers(0, len(CURRICULUM_DETAILS), _DETAIL_RENDERINGS)
    details = [""] + [" " + CURRICULUM_DETAILS[i].format_map(SlotValues(rng)) for i in picks.tolist()]
    own_heads_offset = first_head + len(heads)
    own_suffixes_offset = len(pool.asides)
    all_heads = heads + own_heads
    return replace(
        pool,
        heads=pa.concat_arrays([pool.heads, pa.array(all_heads, pa.string())]),
        tails=pa.concat_arrays([pool.tails, pa.array(tails, pa.string())]),
        asides=pa.concat_arrays([pool.asides, pa.array(own_suffixes, pa.string())]),
        head_lengths=np.concatenate([pool.head_lengths, _lengths(all_heads)]),
        tail_lengths=np.concatenate([pool.tail_lengths, _lengths(tails)]),
        aside_lengths=np.concatenate([pool.aside_lengths, _lengths(own_suffixes)]),
        takes_aside=np.concatenate(
            [pool.takes_aside, [t.group == LEGIT if t.asides is None else t.asides for t in EXTENDED_CATALOG]]
        ),
        head_offset=np.concatenate([pool.head_offset, head_offset]).astype(np.int64),
        tail_offset=np.concatenate([pool.tail_offset, tail_offset]).astype(np.int64),
        variants=np.concatenate([pool.variants, tail_variants]).astype(np.int64),
        head_variants=np.concatenate([pool.head_variants, head_variants]).astype(np.int64),
        capability=np.concatenate(
            [pool.capability, [CAPABILITIES.index(t.capability) for t in EXTENDED_CATALOG]]
        ).astype(np.int64),
        context_tokens=np.concatenate([pool.context_tokens, [t.context_tokens for t in EXTENDED_CATALOG]]),
        output_tokens=np.concatenate([pool.output_tokens, [t.output_tokens for t in EXTENDED_CATALOG]]),
        template_ids=pa.concat_arrays([pool.template_ids, to_string_array(format_hex_ids("tpl_", numbers, 8))]),
        takes_head=np.concatenate([pool.takes_head, [t.takes_head for t in EXTENDED_CATALOG]]),
        template_numbers=np.concatenate([pool.template_numbers, numbers]).astype(np.uint64),
        details=pa.array(details, pa.string()),
        detail_lengths=_lengths(details),
        own_heads_offset=own_heads_offset,
        own_suffixes_offset=own_suffixes_offset,
    )


def _lengths(texts: list[str]) -> np.ndarray:
    return np.array([len(t) for t in texts], dtype=np.int64)


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
            for i, t in enumerate(FULL_CATALOG)
            if t.group == group and (capabilities is None or group != LEGIT or t.capability in capabilities)
        ]
        total = sum(FULL_CATALOG[i].weight for i in members)
        chosen.extend(members)
        weights.extend(group_weight * FULL_CATALOG[i].weight / total for i in members)
    w = np.array(weights)
    return TemplateSet(np.array(chosen, dtype=np.int64), np.cumsum(w) / w.sum())


def templates_of(group: str) -> list[Template]:
    """Templates of one group (used by tests and docs)."""
    return [t for t in FULL_CATALOG if t.group == group]


def template_indices(group: str) -> np.ndarray:
    """Catalogue indices of a group's templates, in catalogue order."""
    return np.array([i for i, t in enumerate(FULL_CATALOG) if t.group == group], dtype=np.int64)


PAYLOAD_TEMPLATES = template_indices(PAYLOAD)
STARTER_TEMPLATES = template_indices(STARTER)
BENCHMARK_TEMPLATES = template_indices(BENCHMARK)
CURRICULUM_TEMPLATES = template_indices(CURRICULUM)

# Set ids stored per account (and per row for the pivot campaign).
SET_LEGIT, SET_EVALUATION, SET_PROXY, SET_REASONING, SET_PIVOT_BEFORE, SET_PIVOT_AFTER = range(6)
# The full scenario's sets (appended, so classic ids never move).
SET_EDITOR_VSCODE, SET_EDITOR_JETBRAINS, SET_EDITOR_NEOVIM, SET_AGENT = range(6, 10)
SET_CURRICULUM, SET_CURRICULUM_CAMOUFLAGED = 10, 11


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
        *_editor_sets(),
        # Agent-framework users mostly run agents, sometimes call the model directly.
        make_template_set({AGENT: 0.85, LEGIT: 0.15}, capabilities=("coding", "chat", "data_analysis")),
        make_template_set({CURRICULUM: 1.0}),
        # Operators who camouflage mix in ordinary requests.
        make_template_set({CURRICULUM: 0.8, LEGIT: 0.2}),
    ]


def _editor_sets() -> list[TemplateSet]:
    """Per editor host: the extension's template for 85% of requests, ordinary coding questions for the rest."""
    editor = template_indices(EDITOR)
    legit_coding = make_template_set({LEGIT: 1.0}, capabilities=("coding",))
    out = []
    for index in editor.tolist():
        templates = np.concatenate([[index], legit_coding.templates])
        weights = np.concatenate([[0.85], 0.15 * np.diff(np.concatenate([[0.0], legit_coding.cumulative]))])
        out.append(TemplateSet(templates, np.cumsum(weights) / weights.sum()))
    return out
