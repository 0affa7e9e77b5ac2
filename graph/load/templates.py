"""Prompt template fingerprints: mask the variable parts of a prompt, hash it, group near-duplicates.

A distillation campaign sends millions of prompts built from a handful of templates. We never store the
prompt; we store the id of its *template*:

    >>> masked = mask_prompt('Explain "quicksort" to Alice in 3 steps, see https://x.io/a?b=1')
    >>> masked
    'explain <str> to <name> in <num> steps, see <url>'
    >>> template_id(masked)
    'tpl_c5ee2f09f86832df'

`mask_prompt_sql` is the same masking as one DuckDB expression (the loader masks millions of rows inside
DuckDB); the two must agree byte for byte, which is why every rule below is written in the regex subset
that Python's `re` and RE2 (DuckDB) interpret identically: no lookaround, no backreferences, no `\\w \\d \\s`
(Unicode-aware in Python, ASCII in RE2), no `$` (Python's also matches before a final newline), `\\b` only
with `re.ASCII`.

`group_templates` then folds near-identical masked texts (a template with a word or two changed) into one
canonical id: MinHash over word shingles, LSH banding for candidates, exact shingle Jaccard to confirm.
`band_keys` exposes the LSH band hashes so an incremental load can find stored templates that are
candidates for a new masked text. See docs/prompt-templates.md.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Mapping, Sequence

import numba
import numpy as np

from graph import minhash

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS_PER_BAND",
    "SHINGLE_WORDS",
    "band_keys",
    "band_keys_many",
    "group_templates",
    "mask_prompt",
    "mask_prompt_sql",
    "minhash_signature",
    "shingle_jaccard",
    "shingle_jaccard_pairs",
    "template_id",
]

# ---------------------------------------------------------------------------------------------------------
# Masking rules. Order matters: containers first (code, strings) so their contents cannot trigger later
# rules, whitespace collapse before the name rule so "about  Alice" and "about\nAlice" behave alike.
# ---------------------------------------------------------------------------------------------------------

# Everything Python's str.isspace() accepts, so no Unicode space survives to make two prompts differ.
_WS = " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Invisible characters a filler (or an evasive client) can sprinkle without changing the rendered text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_HEX = "0-9A-Fa-f"
_HEXL = "A-Fa-f"
# Latin letters for the name rule: ASCII, Latin-1, Latin Extended-A (listed one by one: its cases alternate).
_EXT_A = [chr(c) for c in range(0x100, 0x180)]
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de" + "".join(c for c in _EXT_A if c.isupper())
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff" + "".join(c for c in _EXT_A if c.islower())
_NAME_WORD = f"[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)*"  # Alice, McDonald, Łukasz
# A capitalised word counts as a name only when the character before the single space is clearly
# mid-sentence (a lowercase letter, digit, comma, closing bracket, placeholder) — never after ". " or at
# the start, where capitals are grammar, not names.
_NAME_PREFIX = f"([{_LOWER}0-9,;:)\\]%>] |[(\\[])"
_FILE_EXT = (
    "py|ipynb|js|mjs|ts|tsx|jsx|java|kt|go|rs|rb|php|c|h|cc|cpp|hpp|cs|swift|scala|sql|sh|bash|ps1|"
    "json|jsonl|yaml|yml|toml|ini|cfg|conf|env|xml|html|htm|css|md|rst|txt|csv|tsv|log|parquet|"
    "pdf|docx?|xlsx?|pptx?|png|jpe?g|gif|svg|webp|mp3|mp4|wav|zip|tar|gz|tgz"
)
_MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\\.?"
_URL_BODY = f"[^{_WS}<>\"'`]"
_URL_END = f"[^{_WS}<>\"'`.,;:!?)\\]}}]"  # a sentence's trailing punctuation is not part of the URL
_QUOTE_PREFIX = f"(^|[{_WS}(\\[{{:=,])"  # an opening single quote, not an apostrophe as in "don't"

# (pattern, replacement). Replacements use `\1`, which both re.sub and RE2 read as "group 1". Bounded
# repetitions ({1,64}) keep Python's backtracking linear on long unbroken tokens (RE2 is linear anyway).
_RULES: tuple[tuple[str, str], ...] = (
    (f"[{_INVISIBLE}]", ""),
    # fenced code block; an unterminated fence runs to the end of the prompt
    ("```(?s:.*?)```|```(?s:.*)", " <code> "),
    ('"""(?s:.*?)"""', " <str> "),
    ("`[^`\n]+`", "<code>"),
    ('"[^"]*"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb|\u300c[^\u300d]*\u300d', "<str>"),
    (f"{_QUOTE_PREFIX}(?:'[^'\n]+'|\u2018[^\u2019\n]+\u2019)", "\\1<str>"),
    (f"(?:[A-Za-z][A-Za-z0-9+.-]{{0,15}}://|www\\.){_URL_BODY}*{_URL_END}", "<url>"),
    ("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63})+", "<email>"),
    (f"\\b[{_HEX}]{{8}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{12}}\\b", "<uuid>"),
    # absolute unix-like paths (/etc/x, ~/a, ./b), Windows drive paths, then relative names with a
    # known extension (report_2023.pdf, src/app/main.py)
    (f"(^|[{_WS}(\\[{{:=,])(?:~|\\.{{1,2}})?(?:/[A-Za-z0-9._@%+-]{{1,128}})+/?", "\\1<path>"),
    (f"\\b[A-Za-z]:\\\\[^{_WS}<>\"'|?*]*", "<path>"),
    (f"[A-Za-z0-9_-][A-Za-z0-9_.-]{{0,64}}(?:/[A-Za-z0-9_.-]{{1,64}}){{0,8}}\\.(?:{_FILE_EXT})\\b", "<path>"),
    (
        "\\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]{1,9})?)?"
        "(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?\\b"
        "|\\b[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}\\b|\\b[0-9]{1,2}[.-][0-9]{1,2}[.-][0-9]{4}\\b"
        f"|\\b{_MONTH} [0-9]{{1,2}}(?:st|nd|rd|th)?,? [0-9]{{4}}\\b"
        f"|\\b[0-9]{{1,2}}(?:st|nd|rd|th)? {_MONTH},? [0-9]{{4}}\\b",
        "<date>",
    ),
    # decimals and grouped numbers first, or a long fraction would be taken for a hex id below
    ("[0-9]+(?:[.,][0-9]+)+", "<num>"),
    # hex ids count as numbers: a random 8-hex id is all digits 2% of the time, and a separate <hex>
    # placeholder would then split one template in two. Hex needs ≥ 6 chars and a digit ("decade" stays).
    (
        f"\\b(?:0[xX][{_HEX}]+|[0-9][{_HEX}]{{5,}}|[{_HEXL}][0-9][{_HEX}]{{4,}}|[{_HEXL}]{{2}}[0-9][{_HEX}]{{3,}}"
        f"|[{_HEXL}]{{3}}[0-9][{_HEX}]{{2,}}|[{_HEXL}]{{4}}[0-9][{_HEX}]+|[{_HEXL}]{{5,}}[0-9][{_HEX}]*)\\b",
        "<num>",
    ),
    ("[0-9]+(?:[.,][0-9]+)*(?:(?:st|nd|rd|th)\\b)?", "<num>"),
    (f"[{_WS}]+", " "),
    (f"{_NAME_PREFIX}{_NAME_WORD}(?:[ -]{_NAME_WORD})*", "\\1<name>"),
    # a list of fillers has a variable length ("1, 2 and 3" / "4 or 5"): collapse runs to one placeholder
    *(
        (f"<{kind}>(?:(?:[ ,;/-]|and |or |& )*<{kind}>)+", f"<{kind}>")
        for kind in ("num", "name", "str")
    ),
    ("^ | $", ""),
)
_COMPILED = tuple((re.compile(pattern, re.ASCII), repl) for pattern, repl in _RULES)
# DuckDB's lower() maps U+0130 to plain "i" and has no final-sigma rule; Python's does both, so we
# pre-map those two before str.lower() to get the same bytes.
_LOWER_FIXUPS = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3"})
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")


def mask_prompt(text: str) -> str:
    """Replace the variable parts of a prompt by placeholders, collapse whitespace, lowercase.

    Placeholders: <code> <str> <url> <email> <uuid> <path> <date> <num> <name>.

        >>> mask_prompt("Summarise   ticket #4521 for Bob Smith:\\n```py\\nprint(1)\\n```")
        'summarise ticket #<num> for <name>: <code>'
    """
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text.translate(_LOWER_FIXUPS).lower()


def mask_prompt_sql(column: str) -> str:
    """The DuckDB SQL expression computing `mask_prompt(column)`; NULL stays NULL.

    `column` is an identifier chosen by our code (never user input), checked against ^[a-z_][a-z0-9_]*$.

        >>> mask_prompt_sql("prompt").startswith("lower(regexp_replace(regexp_replace(")
        True
    """
    assert _COLUMN.fullmatch(column), f"not a plain lowercase SQL identifier: {column!r}"
    expr = column
    for pattern, repl in _RULES:
        expr = f"regexp_replace({expr}, {_sql_literal(pattern)}, {_sql_literal(repl)}, 'g')"
    return f"lower({expr})"


def _sql_literal(value: str) -> str:
    # DuckDB string literals take backslashes verbatim; only the quote needs doubling.
    return "'" + value.replace("'", "''") + "'"


def template_id(masked: str) -> str:
    """Stable id of a masked text: 'tpl_' + the 16-hex-digit (64-bit) BLAKE2b digest of its UTF-8 bytes.

        >>> template_id("")
        'tpl_e4a6a0577479b2b4'
    """
    digest = hashlib.blake2b(masked.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"tpl_{digest}"


# ---------------------------------------------------------------------------------------------------------
# MinHash / LSH. Everything is derived from BLAKE2b and fixed 64-bit arithmetic, never from Python's
# salted hash() or a numpy RNG stream, so signatures and band keys are the same in every process and
# version — they are stored on template nodes and compared across loads.
# ---------------------------------------------------------------------------------------------------------

SHINGLE_WORDS = 2  # word bigrams: one changed word in a 30-word template keeps Jaccard ≈ 0.87
BANDS = 20
ROWS_PER_BAND = 6  # P(candidate) = 1-(1-J^6)^20: 0.998 at J=0.8, 0.27 at 0.5, 0.015 at 0.3
NUM_PERM = BANDS * ROWS_PER_BAND
_SCHEME = "mh1"  # bump when anything above or the hashing below changes: stored band keys become stale
# The work in one LSH bucket is bounded per text, so a bucket of k texts costs O(k), never O(k²). A text is
# compared exactly (1) with the *centres* of at most _MAX_COMPARISONS other groups (a group's centre is the
# first of its texts met in the bucket: its most frequent one, usually the template the others vary; a
# bucket keeps at most _MAX_CENTRES), and (2) with the _WINDOW texts before it when the bucket is ordered by
# another band's key (one pass per shift in _NEIGHBOUR_BANDS): texts that also agree on that band, the
# likeliest near-duplicates of each other, are then adjacent. bench/template_bench.py measures what this
# finds against checking every candidate pair.
_MAX_COMPARISONS = 32
_MAX_CENTRES = 32
_WINDOW = 32
_NEIGHBOUR_BANDS = (1, 7)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_PAD = np.uint64(0x5A17_C0DE_0000_0001)  # stands for "no word" in prompts shorter than a shingle


# multiply-shift hash family h_i(x) = (a_i·x + b_i) mod 2^64 >> 32, a_i odd, from graph.minhash (the one
# MinHash detection uses too); its labels "mh1:a:i" / "mh1:b:i" are the ones band keys were first stored with
_PERM_A, _PERM_B = minhash.permutations(_SCHEME, NUM_PERM)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, element-wise on a uint64 array (wrapping arithmetic, no warnings on arrays)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


class _WordHashes(dict[str, int]):
    """word → 64-bit BLAKE2b, computed on first use (a C-level dict hit afterwards)."""

    def __missing__(self, word: str) -> int:
        value = self[word] = minhash.seed64(word) if word else int(_PAD)
        return value


def _shingle_hashes(texts: Sequence[str], chunk: int = 1 << 16) -> tuple[np.ndarray, np.ndarray]:
    """All shingle hashes of all texts concatenated, and per-text offsets (len(texts) + 1). Texts are split
    a chunk at a time, so only one chunk's words exist as Python strings at once."""
    word_hashes = _WordHashes()
    parts: list[np.ndarray] = []
    counts = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), chunk):
        shingles, counts[start : start + chunk] = _chunk_shingles(texts[start : start + chunk], word_hashes)
        parts.append(shingles)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return (np.concatenate(parts) if parts else np.zeros(0, np.uint64)), offsets


def _chunk_shingles(texts: Sequence[str], word_hashes: _WordHashes) -> tuple[np.ndarray, np.ndarray]:
    """The shingle hashes of some texts, concatenated, and each text's number of shingles."""
    words_of = [text.split() for text in texts]
    lengths = np.fromiter(map(len, words_of), dtype=np.int64, count=len(texts))
    short = np.flatnonzero((lengths > 0) & (lengths < SHINGLE_WORDS))
    for i in short.tolist():  # a short prompt is one shingle, padded
        words_of[i] += [""] * (SHINGLE_WORDS - len(words_of[i]))
    lengths[short] = SHINGLE_WORDS
    tokens = np.fromiter(map(word_hashes.__getitem__, itertools.chain.from_iterable(words_of)),
                         dtype=np.uint64, count=int(lengths.sum()))
    del words_of
    counts = np.maximum(lengths - (SHINGLE_WORDS - 1), 0)
    token_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    offsets = np.concatenate(([0], np.cumsum(counts)))
    # position of each shingle's first token in `tokens`
    first = np.repeat(token_starts - offsets[:-1], counts) + np.arange(offsets[-1], dtype=np.int64)
    shingles = np.zeros(first.size, dtype=np.uint64)
    for k in range(SHINGLE_WORDS):
        shingles = _mix64(shingles * _GOLDEN + tokens[first + k])
    return shingles, counts


def _signatures(shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """MinHash signatures, shape (texts, NUM_PERM) uint32; a text without shingles gets all 0xFFFFFFFF."""
    return minhash.signatures(offsets, shingles, _PERM_A, _PERM_B)


def _band_hashes(sigs: np.ndarray) -> np.ndarray:
    """One uint64 per (text, band): a hash of that band's ROWS_PER_BAND signature values."""
    bands = sigs.reshape(sigs.shape[0], BANDS, ROWS_PER_BAND).astype(np.uint64)
    h = np.full(bands.shape[:2], np.uint64(minhash.seed64(_SCHEME)), dtype=np.uint64)
    for r in range(ROWS_PER_BAND):
        h = _mix64(h * _GOLDEN + bands[:, :, r])
    return h


def _format_keys(hashes: np.ndarray) -> list[str]:
    return [f"{_SCHEME}:{band:02d}:{h:016x}" for band, h in enumerate(hashes.tolist())]


def minhash_signature(masked: str) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32) of a masked text's word shingles; the fraction of equal
    positions between two signatures estimates their shingle Jaccard similarity."""
    return _signatures(*_shingle_hashes([masked]))[0]


def band_keys(masked: str) -> list[str]:
    """LSH band keys of a masked text, e.g. 'mh1:07:3fa2…' (scheme, band, 64-bit hash).

    Two texts with shingle Jaccard J share at least one key with probability 1-(1-J^6)^20 (0.998 at
    J=0.8). Store them on template nodes; a new masked text sharing a key with a stored template is a
    near-duplicate *candidate* (confirm with the signatures). Empty text → no keys.

        >>> band_keys("")
        []
    """
    return band_keys_many([masked])[0]


def band_keys_many(texts: Sequence[str]) -> list[list[str]]:
    """`band_keys` of many texts at once (vectorised: one signature pass for all of them).

        >>> band_keys_many(["a b", ""]) == [band_keys("a b"), []]
        True
    """
    shingles, offsets = _shingle_hashes(texts)
    hashes = _band_hashes(_signatures(shingles, offsets))
    return [_format_keys(hashes[i]) if offsets[i + 1] > offsets[i] else [] for i in range(len(texts))]


@numba.njit(cache=True, nogil=True, parallel=True)
def _sort_segments(shingles: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Each text's shingles sorted into `out`; returns the number of distinct shingles per text."""
    counts = np.zeros(offsets.size - 1, dtype=np.int64)
    for t in numba.prange(offsets.size - 1):
        lo, hi = offsets[t], offsets[t + 1]
        if hi > lo:
            out[lo:hi] = np.sort(shingles[lo:hi])
            distinct = 1
            for s in range(lo + 1, hi):
                if out[s] != out[s - 1]:
                    distinct += 1
            counts[t] = distinct
    return counts


@numba.njit(cache=True, nogil=True, parallel=True)
def _compact_segments(ordered: np.ndarray, offsets: np.ndarray, new_offsets: np.ndarray,  # pragma: no cover
                      values: np.ndarray) -> None:
    for t in numba.prange(offsets.size - 1):
        lo, hi = offsets[t], offsets[t + 1]
        if hi > lo:
            o = new_offsets[t]
            values[o] = ordered[lo]
            for s in range(lo + 1, hi):
                if ordered[s] != ordered[s - 1]:
                    o += 1
                    values[o] = ordered[s]


def _unique_segments(shingles: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, de-duplicated shingle hashes per text (same layout: values + offsets)."""
    ordered = np.empty_like(shingles)
    counts = _sort_segments(shingles, offsets, ordered) if offsets.size > 1 else np.zeros(0, np.int64)
    new_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    values = np.empty(int(new_offsets[-1]), dtype=np.uint64)
    if values.size:
        _compact_segments(ordered, offsets, new_offsets, values)
    return values, new_offsets


@numba.njit(cache=True, nogil=True)
def _similar(values: np.ndarray, offsets: np.ndarray, i: int, j: int,  # pragma: no cover
             threshold: float) -> bool:
    """Exact shingle Jaccard of texts i and j ≥ threshold (sorted unique segments). The merge stops as
    soon as the shingles left cannot lift the overlap to the threshold."""
    a, a_end, b, b_end = offsets[i], offsets[i + 1], offsets[j], offsets[j + 1]
    size_a, size_b = a_end - a, b_end - b
    if size_a == 0 or size_b == 0:
        return False
    if min(size_a, size_b) < threshold * max(size_a, size_b):  # even full overlap stays below
        return False
    # J ≥ t  ⟺  common ≥ t·(|A|+|B|)/(1+t); a little slack keeps the early exit on the safe side of rounding
    needed = threshold * (size_a + size_b) / (1.0 + threshold) - 1e-9
    common = 0
    while a < a_end and b < b_end:
        if values[a] == values[b]:
            common += 1
            a += 1
            b += 1
        else:
            if values[a] < values[b]:
                a += 1
            else:
                b += 1
            if common + min(a_end - a, b_end - b) < needed:
                return False
    return common / (size_a + size_b - common) >= threshold


@numba.njit(cache=True, nogil=True)
def _jaccard_pairs(values: np.ndarray, offsets: np.ndarray, left: np.ndarray,  # pragma: no cover
                   right: np.ndarray) -> np.ndarray:
    out = np.zeros(left.size)
    for p in range(left.size):
        a, a_end, b, b_end = offsets[left[p]], offsets[left[p] + 1], offsets[right[p]], offsets[right[p] + 1]
        size_a, size_b = a_end - a, b_end - b
        if size_a == 0 or size_b == 0:
            continue
        common = 0
        while a < a_end and b < b_end:
            if values[a] == values[b]:
                common += 1
                a += 1
                b += 1
            elif values[a] < values[b]:
                a += 1
            else:
                b += 1
        out[p] = common / (size_a + size_b - common)
    return out


def shingle_jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of the word-shingle sets of two masked texts (0.0 if either is empty)."""
    return float(shingle_jaccard_pairs([a], [b])[0])


def shingle_jaccard_pairs(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """`shingle_jaccard` of aligned pairs (left[i], right[i]), vectorised.

        >>> shingle_jaccard_pairs(["a b c", "a b"], ["a b c", "x y"]).tolist()
        [1.0, 0.0]
    """
    if len(left) != len(right):
        raise ValueError("left and right must have the same length")
    values, offsets = _unique_segments(*_shingle_hashes([*left, *right]))
    index = np.arange(len(left), dtype=np.int64)
    return _jaccard_pairs(values, offsets, index, index + len(left))


@numba.njit(cache=True, nogil=True)
def _find(parent: np.ndarray, i: int) -> int:  # pragma: no cover
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@numba.njit(cache=True, nogil=True)
def _union_if_similar(parent: np.ndarray, values: np.ndarray, offsets: np.ndarray, i: int,  # pragma: no cover
                      j: int, root_i: int, root_j: int, threshold: float) -> int:
    """Join the groups of texts i and j when they are near-duplicates; return i's (new) root."""
    if _similar(values, offsets, i, j, threshold):
        low, high = min(root_i, root_j), max(root_i, root_j)
        parent[high] = low
        return low
    return root_i


@numba.njit(cache=True, nogil=True)
def _one_group(members: np.ndarray, parent: np.ndarray) -> bool:  # pragma: no cover
    root = _find(parent, members[0])
    for q in range(1, members.size):  # noqa: SIM110 (numba compiles no generator expression into all())
        if _find(parent, members[q]) != root:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _join_centres(members: np.ndarray, parent: np.ndarray, values: np.ndarray,  # pragma: no cover
                  offsets: np.ndarray, threshold: float, centres: np.ndarray) -> None:
    """One bucket, members by priority: each text against the centre (first text met) of up to
    _MAX_COMPARISONS other groups."""
    n_centres = 0
    for pos in range(members.size):
        text = members[pos]
        root = _find(parent, text)
        budget = _MAX_COMPARISONS
        new_group = True
        for c in range(n_centres):
            other_root = _find(parent, centres[c])
            if other_root == root:
                new_group = False
                continue
            if budget > 0:
                budget -= 1
                root = _union_if_similar(parent, values, offsets, text, centres[c], root, other_root, threshold)
                if root == _find(parent, centres[c]):
                    new_group = False
        if new_group and n_centres < centres.size:
            centres[n_centres] = text
            n_centres += 1


@numba.njit(cache=True, nogil=True)
def _join_neighbours(members: np.ndarray, parent: np.ndarray, values: np.ndarray,  # pragma: no cover
                     offsets: np.ndarray, threshold: float) -> None:
    """One bucket in neighbour order: each text against the _WINDOW texts before it."""
    for pos in range(members.size):
        text = members[pos]
        root = _find(parent, text)
        for q in range(pos - 1, max(pos - _WINDOW, 0) - 1, -1):
            other_root = _find(parent, members[q])
            if other_root != root:
                root = _union_if_similar(parent, values, offsets, text, members[q], root, other_root, threshold)


@numba.njit(cache=True, nogil=True)
def _join_band(members: np.ndarray, keys: np.ndarray, parent: np.ndarray, values: np.ndarray,  # pragma: no cover
               offsets: np.ndarray, threshold: float, by_priority: bool) -> None:
    """One band: `members` (text indices) sorted by band key (`keys`), then by priority (`by_priority`:
    the centre pass) or by another band's key (a neighbour pass); a run of one key is a bucket. Buckets
    whose texts are one group already (the usual case after the first bands) are skipped."""
    centres = np.empty(_MAX_CENTRES, dtype=np.int64)
    start = 0
    while start < keys.size:
        stop = start + 1
        while stop < keys.size and keys[stop] == keys[start]:
            stop += 1
        if stop - start > 1 and not _one_group(members[start:stop], parent):
            if by_priority:
                _join_centres(members[start:stop], parent, values, offsets, threshold, centres)
            else:
                _join_neighbours(members[start:stop], parent, values, offsets, threshold)
        start = stop


@numba.njit(cache=True, nogil=True)
def _roots(parent: np.ndarray) -> np.ndarray:  # pragma: no cover
    out = np.empty_like(parent)
    for i in range(parent.size):
        out[i] = _find(parent, i)
    return out


def _group_roots(texts: Sequence[str], threshold: float) -> np.ndarray:
    """For texts in priority order: the index of each text's group root (its smallest index)."""
    parent = np.arange(len(texts), dtype=np.int64)
    if len(texts) < 2:
        return parent
    shingles, offsets = _shingle_hashes(texts)
    values, unique_offsets = _unique_segments(shingles, offsets)
    rows = np.flatnonzero(np.diff(offsets) > 0)  # a text without words is never grouped
    hashes = _band_hashes(_signatures(shingles, offsets)[rows])
    del shingles
    for band in range(BANDS):
        by_priority = np.argsort(hashes[:, band], kind="stable")  # stable: ascending index within a bucket
        keys = np.ascontiguousarray(hashes[by_priority, band])
        _join_band(rows[by_priority], keys, parent, values, unique_offsets, float(threshold), True)
        for shift in _NEIGHBOUR_BANDS:  # lexsort is stable: buckets sit where they sit in `keys`
            by_neighbour = np.lexsort((hashes[:, (band + shift) % BANDS], hashes[:, band]))
            _join_band(rows[by_neighbour], keys, parent, values, unique_offsets, float(threshold), False)
    return _roots(parent)


def group_templates(masked_counts: Mapping[str, int], threshold: float = 0.8) -> dict[str, str]:
    """Map each distinct masked text to its group's canonical template id.

    Texts whose word-shingle sets have Jaccard ≥ `threshold` (found through MinHash LSH, confirmed
    exactly) are joined, transitively. A group's id is `template_id` of its first member by
    (-count, text); pass counts of 1 (or any constant) to order lexicographically. Deterministic; the work
    grows linearly with the number of texts (bounded exact checks per LSH bucket, compiled loops).

        >>> groups = group_templates({"a b c": 5, "x y z": 1})
        >>> groups["a b c"] == template_id("a b c")
        True
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    texts = sorted(masked_counts, key=lambda text: (-masked_counts[text], text))
    roots = _group_roots(texts, threshold).tolist()
    ids = {root: template_id(texts[root]) for root in set(roots)}
    return {text: ids[root] for text, root in zip(texts, roots, strict=True)}
