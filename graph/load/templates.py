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
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS_PER_BAND",
    "SHINGLE_WORDS",
    "band_keys",
    "group_templates",
    "mask_prompt",
    "mask_prompt_sql",
    "minhash_signature",
    "shingle_jaccard",
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
_MAX_COMPARISONS = 32  # per text and LSH bucket: bounds the exact checks in a bucket of unrelated texts
_CHUNK_SHINGLES = 1 << 16
_EMPTY = np.uint32(0xFFFFFFFF)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_PAD = np.uint64(0x5A17_C0DE_0000_0001)  # stands for "no word" in prompts shorter than a shingle


def _seed64(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little")


# multiply-shift hash family h_i(x) = (a_i·x + b_i) mod 2^64 >> 32, a_i odd
_PERM_A = np.array([_seed64(f"{_SCHEME}:a:{i}") | 1 for i in range(NUM_PERM)], dtype=np.uint64)
_PERM_B = np.array([_seed64(f"{_SCHEME}:b:{i}") for i in range(NUM_PERM)], dtype=np.uint64)


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
        value = self[word] = _seed64(word) if word else int(_PAD)
        return value


def _shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All shingle hashes of all texts concatenated, and per-text offsets (len(texts) + 1)."""
    word_hashes = _WordHashes()
    token_hashes: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        words = text.split()
        if not words:
            continue
        if len(words) < SHINGLE_WORDS:  # a short prompt is one shingle, padded
            words += [""] * (SHINGLE_WORDS - len(words))
        lengths[i] = len(words)
        token_hashes.extend(map(word_hashes.__getitem__, words))
    tokens = np.array(token_hashes, dtype=np.uint64)
    counts = np.maximum(lengths - (SHINGLE_WORDS - 1), 0)
    token_starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(texts) else np.zeros(0, np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    # position of each shingle's first token in `tokens`
    first = np.repeat(token_starts - offsets[:-1], counts) + np.arange(offsets[-1], dtype=np.int64)
    shingles = np.zeros(first.size, dtype=np.uint64)
    for k in range(SHINGLE_WORDS):
        shingles = _mix64(shingles * _GOLDEN + tokens[first + k])
    return shingles, offsets


def _signatures(shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """MinHash signatures, shape (texts, NUM_PERM) uint32; a text without shingles gets all 0xFFFFFFFF."""
    n = offsets.size - 1
    sigs = np.full((n, NUM_PERM), _EMPTY, dtype=np.uint32)
    counts = np.diff(offsets)
    start = 0
    while start < n:
        # whole texts per chunk, about _CHUNK_SHINGLES shingles (bounded memory: chunk × NUM_PERM × 8 bytes)
        stop = int(np.searchsorted(offsets, offsets[start] + _CHUNK_SHINGLES, side="right")) - 1
        stop = min(max(stop, start + 1), n)
        rows = np.flatnonzero(counts[start:stop]) + start
        if rows.size:
            lo, hi = offsets[start], offsets[stop]
            hashed = (shingles[lo:hi, None] * _PERM_A[None, :] + _PERM_B[None, :]) >> np.uint64(32)
            mins = np.minimum.reduceat(hashed, offsets[rows] - lo, axis=0)
            sigs[rows] = mins.astype(np.uint32)
        start = stop
    return sigs


def _band_hashes(sigs: np.ndarray) -> np.ndarray:
    """One uint64 per (text, band): a hash of that band's ROWS_PER_BAND signature values."""
    bands = sigs.reshape(sigs.shape[0], BANDS, ROWS_PER_BAND).astype(np.uint64)
    h = np.full(bands.shape[:2], np.uint64(_seed64(_SCHEME)), dtype=np.uint64)
    for r in range(ROWS_PER_BAND):
        h = _mix64(h * _GOLDEN + bands[:, :, r])
    return h


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
    shingles, offsets = _shingle_hashes([masked])
    if offsets[-1] == 0:
        return []
    hashes = _band_hashes(_signatures(shingles, offsets))[0]
    return [f"{_SCHEME}:{band:02d}:{int(h):016x}" for band, h in enumerate(hashes)]


def shingle_jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of the word-shingle sets of two masked texts (0.0 if either is empty)."""
    shingles, offsets = _shingle_hashes([a, b])
    return _jaccard(np.unique(shingles[: offsets[1]]), np.unique(shingles[offsets[1] :]))


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0 or b.size == 0:
        return 0.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def _unique_segments(shingles: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, de-duplicated shingle hashes per text (same layout: values + offsets)."""
    owner = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
    order = np.lexsort((shingles, owner))
    values, owner = shingles[order], owner[order]
    keep = np.ones(values.size, dtype=bool)
    keep[1:] = (values[1:] != values[:-1]) | (owner[1:] != owner[:-1])
    values, owner = values[keep], owner[keep]
    counts = np.bincount(owner, minlength=offsets.size - 1)
    return values, np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _candidate_buckets(sigs: np.ndarray, usable: np.ndarray) -> Iterable[np.ndarray]:
    """Per band, each group (≥ 2 texts, ascending index) sharing that band's hash."""
    rows = np.flatnonzero(usable)
    hashes = _band_hashes(sigs[rows])
    for band in range(BANDS):
        order = np.argsort(hashes[:, band], kind="stable")
        keys = hashes[order, band]
        edges = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1, [keys.size]))
        for start in np.flatnonzero(np.diff(edges) > 1).tolist():
            yield rows[np.sort(order[edges[start] : edges[start + 1]])]


def group_templates(masked_counts: Mapping[str, int], threshold: float = 0.8) -> dict[str, str]:
    """Map each distinct masked text to its group's canonical template id.

    Texts whose word-shingle sets have Jaccard ≥ `threshold` (found through MinHash LSH, confirmed
    exactly) are joined, transitively. A group's id is `template_id` of its first member by
    (-count, text); pass counts of 1 (or any constant) to order lexicographically. Deterministic.

        >>> groups = group_templates({"a b c": 5, "x y z": 1})
        >>> groups["a b c"] == template_id("a b c")
        True
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    texts = sorted(masked_counts, key=lambda text: (-masked_counts[text], text))
    parent = list(range(len(texts)))  # union-find; the root is always the smallest index = canonical

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(texts) > 1:
        shingles, offsets = _shingle_hashes(texts)
        sigs = _signatures(shingles, offsets)
        values, uniq_offsets = _unique_segments(shingles, offsets)

        def similar(i: int, j: int) -> bool:
            a = values[uniq_offsets[i] : uniq_offsets[i + 1]]
            b = values[uniq_offsets[j] : uniq_offsets[j + 1]]
            return _jaccard(a, b) >= threshold

        for bucket in _candidate_buckets(sigs, np.diff(offsets) > 0):
            members = bucket.tolist()
            if len({find(member) for member in members}) == 1:
                continue  # the usual case after the first bands: already one group
            for pos, member in enumerate(members):
                budget = _MAX_COMPARISONS
                for earlier in members[:pos]:
                    root_e, root_m = find(earlier), find(member)
                    if root_e == root_m:
                        continue
                    if similar(earlier, member):
                        parent[max(root_e, root_m)] = min(root_e, root_m)
                    budget -= 1
                    if budget == 0:
                        break
    return {text: template_id(texts[find(i)]) for i, text in enumerate(texts)}
