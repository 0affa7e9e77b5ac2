"""Template grouping at scale: the result depends on the texts and counts only (never on input order or the
process), the bounded work per LSH bucket finds what checking every candidate pair finds, band keys keep
their meaning."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys

import numpy as np

from graph.load import templates
from graph.load.templates import (
    band_keys,
    band_keys_many,
    group_templates,
    shingle_jaccard,
    shingle_jaccard_pairs,
    template_id,
)


def zipf_corpus(seed: int) -> dict[str, int]:
    """Masked-like texts: free text over a Zipf vocabulary with long-tailed lengths, one popular template
    with hundreds of one-word variants (buckets far larger than the per-text budget), families of a few
    variants, texts that share most words with a hub without being near-duplicates, short and empty ones."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(3000)]
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(vocabulary))]

    def words(count: int) -> list[str]:
        return rng.choices(vocabulary, weights, k=count)

    counts: dict[str, int] = {}
    hub = words(40)
    counts[" ".join(hub)] = 500
    for i in range(400):  # one word changed: bigram Jaccard about 0.9 with the hub
        variant = list(hub)
        variant[rng.randrange(len(variant))] = f"v{i}"
        counts[" ".join(variant)] = rng.randint(1, 5)
    for i in range(60):  # 16 of 40 words changed: related to the hub, well below the threshold
        variant = list(hub)
        for position in rng.sample(range(len(variant)), 16):
            variant[position] = f"x{i}_{position}"
        counts[" ".join(variant)] = rng.randint(1, 3)
    for _ in range(150):  # small families
        base = words(max(8, int(rng.lognormvariate(3.0, 0.6))))
        counts[" ".join(base)] = rng.randint(1, 50)
        for _ in range(rng.randint(1, 6)):
            variant = list(base)
            variant[rng.randrange(len(variant))] = rng.choice(vocabulary)
            counts[" ".join(variant)] = rng.randint(1, 5)
    for _ in range(800):  # free text, lengths long-tailed
        counts[" ".join(words(max(1, int(rng.lognormvariate(2.8, 0.9)))))] = rng.randint(1, 3)
    counts[""] = 7
    counts["hello"] = 3
    return counts


def every_pair_groups(counts: dict[str, int], threshold: float) -> dict[str, str]:
    """The reference: every LSH candidate pair (texts sharing a band) checked exactly, joined transitively
    (quadratic in a bucket: small inputs only)."""
    texts = sorted(counts, key=lambda text: (-counts[text], text))
    shingles, offsets = templates._shingle_hashes(texts)
    values, unique_offsets = templates._unique_segments(shingles, offsets)
    hashes = templates._band_hashes(templates._signatures(shingles, offsets))
    usable = np.diff(offsets) > 0
    candidate = np.zeros((len(texts), len(texts)), dtype=bool)
    for band in range(hashes.shape[1]):
        candidate |= hashes[:, band, None] == hashes[None, :, band]
    candidate &= usable[:, None] & usable[None, :]
    left, right = np.nonzero(np.triu(candidate, k=1))
    similarity = templates._jaccard_pairs(values, unique_offsets, left.astype(np.int64), right.astype(np.int64))
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in zip(left[similarity >= threshold].tolist(), right[similarity >= threshold].tolist(), strict=True):
        root_i, root_j = find(i), find(j)
        parent[max(root_i, root_j)] = min(root_i, root_j)
    return {text: template_id(texts[find(i)]) for i, text in enumerate(texts)}


def test_grouping_does_not_depend_on_input_order() -> None:
    counts = zipf_corpus(21)
    expected = group_templates(counts)
    items = list(counts.items())
    for seed in range(4):
        random.Random(seed).shuffle(items)
        assert group_templates(dict(items)) == expected
    assert group_templates(dict(reversed(items))) == expected


def test_grouping_is_identical_in_another_process_with_another_hash_seed() -> None:
    counts = zipf_corpus(22)
    code = (
        "import hashlib, random, sys\n"
        f"sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "from test_templates_scale import zipf_corpus\n"
        "from graph.load.templates import group_templates\n"
        "items = list(zipf_corpus(22).items()); random.Random(99).shuffle(items)\n"
        "print(hashlib.sha256(repr(sorted(group_templates(dict(items)).items())).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    expected = hashlib.sha256(repr(sorted(group_templates(counts).items())).encode()).hexdigest()
    assert output.stdout.strip() == expected


def test_bounded_buckets_find_what_checking_every_candidate_pair_finds() -> None:
    counts = zipf_corpus(23)
    hub_bucket = max(np.bincount(np.unique(np.array([band_keys(text)[0] for text in counts if text]),
                                           return_inverse=True)[1]))
    assert hub_bucket > templates._MAX_COMPARISONS + templates._MAX_CENTRES  # the bound is exercised
    found = group_templates(counts)
    assert found == every_pair_groups(counts, 0.8)
    hub = max(counts, key=counts.__getitem__)
    assert sum(group == template_id(hub) for group in found.values()) == 401  # the hub and its 400 variants


def test_bound_holds_when_a_bucket_is_full_of_distinct_groups() -> None:
    """Many groups colliding in one band: a text beyond the centre budget still meets its own group through
    the neighbour passes (texts that also agree on another band are adjacent)."""
    rng = random.Random(24)
    shared = [f"s{i}" for i in range(30)]
    counts: dict[str, int] = {}
    for family in range(80):  # 80 families sharing 30 of 40 words: they collide often, J between them < 0.8
        base = list(shared) + [f"f{family}_{k}" for k in range(10)]
        rng.shuffle(base)
        counts[" ".join(base)] = 100
        for k in range(3):
            variant = list(base)
            variant[rng.randrange(len(variant))] = f"e{family}_{k}"
            counts[" ".join(variant)] = 1
    assert group_templates(counts) == every_pair_groups(counts, 0.8)


def test_band_keys_keep_their_meaning() -> None:
    # pinned from the original (numpy) implementation: a change here makes every stored band key stale, so
    # it must come with a new scheme prefix (templates._SCHEME)
    text = "summarize the following text in <num> words please"
    keys = band_keys(text)
    assert keys[:2] == ["mh1:00:f96ac36dde981a2b", "mh1:01:b8c4f3f5a8b4868e"]
    assert hashlib.sha256(repr(keys).encode()).hexdigest() == \
        "276f0291fe8d19dfdbd0fc84d9c78260f3c7db84af9343c69a22f8f7e324f723"


def test_band_keys_many_and_pairs_match_the_single_versions() -> None:
    texts = list(zipf_corpus(25))[:300]
    assert band_keys_many(texts) == [band_keys(text) for text in texts]
    left, right = texts[:150], texts[150:]
    pairs = shingle_jaccard_pairs(left, right)
    assert pairs.tolist() == [shingle_jaccard(a, b) for a, b in zip(left, right, strict=True)]
