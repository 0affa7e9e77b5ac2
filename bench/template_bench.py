"""Template grouping benchmark (not a test): a prompt corpus that is *not* our generator's, with planted
near-duplicates, through the loader's masking (DuckDB) and `group_templates`.

    .venv/bin/python bench/template_bench.py --prompts 1000000 --json /tmp/templates-1m.json
    .venv/bin/python bench/template_bench.py --scales 250000,500000,1000000,2000000   # near-linear?
    .venv/bin/python bench/template_bench.py --prompts 200000 --exhaustive           # vs every LSH pair

The corpus (seeded, numpy only):

- a vocabulary of pseudo-words whose use follows a Zipf law (frequency ∝ rank^-1.07; short words are the
  frequent ones), a few numbers and capitalised names among them (what masking replaces);
- free prompts whose lengths in words are long-tailed (lognormal, median ≈ 22 words, 1% over ~200);
- planted near-duplicates: a share of the distinct prompts (default 30%) are variants of a *base* prompt
  (itself in the corpus); bases are picked with Zipf popularity (a few have thousands of variants, most a
  handful); a variant makes 1–4 word edits (substitute, insert, delete) and often changes fillers;
- a request count per distinct prompt (bases and their variants are sent more often than free text).

What is measured: masking of the distinct prompts in DuckDB (prompts/s), `group_templates` on the distinct
masked texts (texts/s, CPU seconds, peak RSS), and quality: a planted pair (variant, base) is a *true*
near-duplicate when the exact shingle Jaccard of their masked texts is ≥ the threshold; **recall** is the
share of true pairs that end up in one group. Merges across families are counted too (with a Zipf vocabulary,
short unrelated prompts can be genuinely similar). `--exhaustive` also groups with every LSH candidate pair
checked (no bound per bucket: quadratic in a bucket) and reports the pair recall of the bounded grouping
against it. Results: stdout and `--json`; figures in bench/README-load.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from typing import Any

import duckdb
import numba
import numpy as np
import pyarrow as pa

from graph.load import templates
from graph.load.templates import group_templates, mask_prompt_sql, shingle_jaccard_pairs

SYLLABLES = ("ka", "to", "ri", "mi", "sa", "lo", "ne", "vu", "de", "po", "shi", "tra", "el", "on", "ar", "is",
             "qu", "ber", "ent", "ly", "ex", "pro", "ti", "ga", "zo", "um", "fi", "re", "an", "st")
NAMES = ("Alice", "Bob", "Chen", "Dana", "Emeka", "Farah", "Gustav", "Hiro", "Ines", "Jonas")


def make_vocabulary(rng: np.random.Generator, size: int) -> np.ndarray:
    """Pseudo-words, most frequent first (shorter words rank higher, as in natural language)."""
    lengths = np.clip(np.round(1 + rng.gamma(1.6, 0.9, size) * np.linspace(0.6, 1.6, size)), 1, 7).astype(int)
    words = set()
    out = []
    for n in lengths.tolist():
        word = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n))
        while word in words:  # taken (short words run out first): one syllable longer
            word += SYLLABLES[int(rng.integers(0, len(SYLLABLES)))]
        words.add(word)
        out.append(word)
    return np.array(out, dtype=object)


class Corpus:
    """Distinct prompts with their family (the base's index, or their own for free text) and counts."""

    def __init__(self, prompts: int, seed: int, duplicate_share: float, vocabulary: int) -> None:
        rng = np.random.default_rng(seed)
        self.vocab = make_vocabulary(rng, vocabulary)
        ranks = np.arange(1, vocabulary + 1)
        weights = ranks ** -1.07
        self.word_cdf = np.cumsum(weights) / weights.sum()
        self.rng = rng
        n_variants = int(prompts * duplicate_share)
        n_free = prompts - n_variants
        self.texts: list[str] = []
        self.family: list[int] = []
        self.counts: list[int] = []
        self.edits: list[int] = []
        bases_words: list[list[str]] = []
        lengths = np.clip(np.round(rng.lognormal(3.1, 0.85, n_free)), 1, 1200).astype(int)
        for length in lengths.tolist():
            words = self.sentence(length)
            bases_words.append(words)
            self.add(words, len(self.texts), int(rng.zipf(2.2)), 0)
        # bases: prompts of at least 8 words, popularity Zipf over a random order of them
        eligible = np.flatnonzero(lengths >= 8)
        n_bases = max(1, min(eligible.size, n_variants // 12))
        bases = rng.choice(eligible, n_bases, replace=False)
        popularity = np.arange(1, n_bases + 1) ** -1.1
        picks = rng.choice(bases, n_variants, p=popularity / popularity.sum())
        seen = set(self.texts)
        for base in picks.tolist():
            for _ in range(20):  # a variant that happens to equal an existing prompt is drawn again
                words, edits = self.vary(bases_words[base])
                text = self.render(words)
                if text not in seen:
                    seen.add(text)
                    self.add(words, base, int(rng.zipf(1.8)) + 2, edits, text)
                    break
            self.counts[base] += int(rng.integers(1, 20))

    def sentence(self, length: int) -> list[str]:
        words = list(self.vocab[self.draw_words(length)])
        for _ in range(self.rng.binomial(length, 0.04)):  # fillers masking replaces
            position = int(self.rng.integers(0, length))
            words[position] = self.filler()
        return words

    def draw_words(self, count: int) -> np.ndarray:
        """Word indices drawn from the Zipf law (inverse CDF)."""
        return np.minimum(np.searchsorted(self.word_cdf, self.rng.random(count)), self.vocab.size - 1)

    def filler(self) -> str:
        kind = self.rng.integers(0, 3)
        if kind == 0:
            return str(int(self.rng.integers(0, 10_000)))
        if kind == 1:
            return f"for {NAMES[int(self.rng.integers(0, len(NAMES)))]}"
        return f"#{int(self.rng.integers(100, 99_999))}"

    def vary(self, base: list[str]) -> tuple[list[str], int]:
        """1–4 word edits (substitute, insert, delete) and new fillers."""
        words = list(base)
        edits = 1 + min(int(self.rng.poisson(0.6)), 3)
        for _ in range(edits):
            op = self.rng.integers(0, 3)
            position = int(self.rng.integers(0, len(words)))
            new = self.vocab[self.draw_words(1)[0]]
            if op == 0:
                words[position] = new
            elif op == 1:
                words.insert(position, new)
            elif len(words) > 2:
                del words[position]
        for position, word in enumerate(words):  # fillers change from one use of a template to the next
            if word[0].isdigit() or word[0] == "#" or word.startswith("for "):
                words[position] = self.filler()
        return words, edits

    @staticmethod
    def render(words: list[str]) -> str:
        text = " ".join(words)
        return text[:1].upper() + text[1:] + "?"

    def add(self, words: list[str], family: int, count: int, edits: int, text: str | None = None) -> None:
        self.texts.append(text if text is not None else self.render(words))
        self.family.append(family)
        self.counts.append(count)
        self.edits.append(edits)


def mask_distinct(texts: list[str]) -> tuple[list[str], float]:
    """The loader's masking of each distinct prompt (in DuckDB), and its wall seconds."""
    con = duckdb.connect()
    try:
        con.register("_p", pa.table({"i": np.arange(len(texts)), "prompt": pa.array(texts, pa.large_string())}))
        started = time.perf_counter()
        masked = con.execute(f"SELECT {mask_prompt_sql('prompt')} FROM _p ORDER BY i").fetchall()
        return [row[0] for row in masked], time.perf_counter() - started
    finally:
        con.close()


@numba.njit(cache=True)
def _join_every_pair(rows: np.ndarray, keys: np.ndarray, parent: np.ndarray, values: np.ndarray,
                     offsets: np.ndarray, threshold: float) -> int:  # pragma: no cover
    checked = 0
    start = 0
    while start < rows.size:
        stop = start + 1
        while stop < rows.size and keys[stop] == keys[start]:
            stop += 1
        for p in range(start, stop):
            for q in range(start, p):
                a, b = templates._find(parent, rows[p]), templates._find(parent, rows[q])
                if a != b:
                    checked += 1
                    if templates._similar(values, offsets, rows[q], rows[p], threshold):
                        parent[max(a, b)] = min(a, b)
        start = stop
    return checked


def exhaustive_roots(texts: list[str], threshold: float) -> tuple[np.ndarray, int]:
    """The grouping with every LSH candidate pair checked exactly (the bounded grouping's ideal)."""
    parent = np.arange(len(texts), dtype=np.int64)
    shingles, offsets = templates._shingle_hashes(texts)
    values, unique_offsets = templates._unique_segments(shingles, offsets)
    rows = np.flatnonzero(np.diff(offsets) > 0)
    hashes = templates._band_hashes(templates._signatures(shingles, offsets)[rows])
    checked = 0
    for band in range(templates.BANDS):
        order = np.argsort(hashes[:, band], kind="stable")
        checked += _join_every_pair(rows[order], np.ascontiguousarray(hashes[order, band]), parent, values,
                                    unique_offsets, threshold)
    return templates._roots(parent), checked


def pair_recall(truth: np.ndarray, found: np.ndarray) -> float:
    """Of the pairs `truth` puts in one group, the share `found` puts in one group too."""
    def pairs(counter: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())
    together = pairs(Counter(zip(truth.tolist(), found.tolist(), strict=True)))
    expected = pairs(Counter(truth.tolist()))
    return together / expected if expected else 1.0


def run(prompts: int, seed: int, share: float, vocabulary: int, threshold: float, exhaustive: bool) -> dict[str, Any]:
    started = time.perf_counter()
    corpus = Corpus(prompts, seed, share, vocabulary)
    built = time.perf_counter() - started
    print(f"corpus: {len(corpus.texts):,} distinct prompts in {built:.0f} s", file=sys.stderr)
    masked, mask_seconds = mask_distinct(corpus.texts)
    print(f"masked in {mask_seconds:.1f} s", file=sys.stderr)
    masked_counts: Counter[str] = Counter()
    for text, count in zip(masked, corpus.counts, strict=True):
        masked_counts[text] += count
    cpu = time.process_time()
    started = time.perf_counter()
    groups = group_templates(masked_counts, threshold=threshold)
    group_seconds = time.perf_counter() - started
    group_cpu = time.process_time() - cpu
    print(f"grouped {len(masked_counts):,} masked texts in {group_seconds:.1f} s", file=sys.stderr)

    family = np.asarray(corpus.family)
    variants = np.flatnonzero(family != np.arange(family.size))
    similarity = shingle_jaccard_pairs([masked[i] for i in variants.tolist()],
                                       [masked[f] for f in family[variants].tolist()])
    true_pairs = variants[similarity >= threshold]
    grouped = np.array([groups[masked[i]] == groups[masked[family[i]]] for i in true_pairs.tolist()], dtype=bool)
    # merges across families: groups holding masked texts of more than one family
    families_of: dict[str, set[int]] = {}
    for text, fam in zip(masked, family.tolist(), strict=True):
        families_of.setdefault(groups[text], set()).add(fam)
    mixed = sum(len(f) - 1 for f in families_of.values())
    result: dict[str, Any] = {
        "distinct_prompts": len(corpus.texts), "distinct_masked": len(masked_counts),
        "requests": int(sum(corpus.counts)), "planted_variants": int(variants.size),
        "true_near_duplicate_pairs": int(true_pairs.size),
        "variants_below_threshold": int(variants.size - true_pairs.size),
        "groups": len(set(groups.values())),
        "mask_seconds": round(mask_seconds, 2), "mask_prompts_per_s": round(len(corpus.texts) / mask_seconds),
        "group_seconds": round(group_seconds, 2), "group_cpu_seconds": round(group_cpu, 2),
        "group_texts_per_s": round(len(masked_counts) / group_seconds),
        "distinct_prompts_per_s": round(len(corpus.texts) / (mask_seconds + group_seconds)),
        "recall_planted": round(float(grouped.mean()), 5) if grouped.size else None,
        "recall_planted_missed": int((~grouped).sum()),
        "families_merged_into_another": mixed,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if exhaustive:
        texts = sorted(masked_counts, key=lambda text: (-masked_counts[text], text))
        started = time.perf_counter()
        truth, checked = exhaustive_roots(texts, threshold)
        found = templates._group_roots(texts, threshold)
        result["exhaustive"] = {"seconds": round(time.perf_counter() - started, 1), "pairs_checked": checked,
                                "groups": len(set(truth.tolist())), "pair_recall": round(pair_recall(truth, found), 6)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=1_000_000, help="distinct prompts")
    parser.add_argument("--scales", default=None, help="comma-separated sizes: one run each (near-linear?)")
    parser.add_argument("--duplicate-share", type=float, default=0.3, help="share of planted variants")
    parser.add_argument("--vocabulary", type=int, default=60_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--exhaustive", action="store_true", help="also check every LSH pair (slow)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.scales.split(",")] if args.scales else [args.prompts]
    results = [run(n, args.seed, args.duplicate_share, args.vocabulary, args.threshold, args.exhaustive)
               for n in sizes]
    print(json.dumps(results if len(results) > 1 else results[0], indent=2))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results if len(results) > 1 else results[0], out, indent=2)


if __name__ == "__main__":
    main()
