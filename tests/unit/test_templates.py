"""Prompt template fingerprints: masking stability, ids, near-duplicate grouping, SQL/Python equivalence."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys

import duckdb
import pyarrow as pa
import pytest

from graph.load.templates import (
    BANDS,
    band_keys,
    group_templates,
    mask_prompt,
    mask_prompt_sql,
    minhash_signature,
    shingle_jaccard,
    template_id,
)

# ---------------------------------------------------------------------------------------------------------
# Stability under what a template filler changes
# ---------------------------------------------------------------------------------------------------------

STABLE_SETS = {
    "numbers": ["Give me 3 ideas for a 10-minute talk", "Give me 12 ideas for a 45.5-minute talk"],
    "names": [
        "Write a poem for Alice about the sea",
        "Write a poem for Bob Smith about the sea",
        "Write a poem for José about the sea",
        "Write a poem for Jean-Luc McDonald about the sea",
    ],
    "name lists": ["Compare Alice, Bob and Carol", "Compare Dave or Eve"],
    "quoted strings": [
        'Translate "The cat sat on the mat." into German',
        'Translate "I\'m fine, thanks — and you?" into German',
        "Translate “Ça va?” into German",
        "Translate 'good morning' into German",
    ],
    "code blocks": [
        "Explain this code:\n```python\ndef f(x):\n    return x * 2\n```\nThanks",
        "Explain this code:\n```\nconsole.log(`hi ${name}`)\n```\nThanks",
        "Explain this code: ```SELECT 1``` Thanks",
    ],
    "inline code": ["Why does `foo()` fail?", "Why does `bar.baz(1, 2)` fail?"],
    "whitespace and case": [
        "Summarize the text below.",
        "  SUMMARIZE   the\ttext\n\nbelow. ",
        "summarize\u00a0the\u200b text below.",
    ],
    "urls": ["Summarize https://example.com/a?b=1 now", "Summarize http://x.io/p/2 now"],
    "emails": ["Reply to ann@example.com politely", "Reply to bob.smith+x@mail.co.uk politely"],
    "paths": [
        "Refactor /srv/app/main.py please",
        "Refactor ~/work/x/utils.py please",
        "Refactor src/lib/helpers.ts please",
        "Refactor C:\\Users\\bob\\tool.cs please",
    ],
    "ids": [
        "Look up order 123e4567-e89b-12d3-a456-426614174000 and commit a1b2c3d",
        "Look up order 00000000-0000-4000-8000-000000000000 and commit 9f0e1d2c3b4a",
        "Look up order 9b2f8c1e-1111-4abc-9def-0123456789ab and commit 1234567",
    ],
    "dates": ["Plan a trip on 2024-05-01", "Plan a trip on 12/31/1999", "Plan a trip on March 5, 2024"],
}


@pytest.mark.parametrize("variants", STABLE_SETS.values(), ids=STABLE_SETS.keys())
def test_filler_changes_keep_the_template_id(variants: list[str]) -> None:
    masked = {mask_prompt(v) for v in variants}
    assert len(masked) == 1, masked
    assert len({template_id(m) for m in masked}) == 1


def test_mask_prompt_uses_readable_placeholders() -> None:
    assert mask_prompt('Explain "quicksort" to Alice in 3 steps, see https://x.io/a?b=1') == (
        "explain <str> to <name> in <num> steps, see <url>"
    )
    assert mask_prompt("Mail a@b.io re /etc/hosts at 2024-01-02 about ```x```") == (
        "mail <email> re <path> at <date> about <code>"
    )


def test_mask_keeps_template_words_and_sentence_capitals() -> None:
    # "decade" is hex letters only, "Don't" starts a sentence, "I" is a pronoun: none of them is a filler
    assert mask_prompt("Don't count the decade. I know.") == "don't count the decade. i know."
    assert mask_prompt("") == ""
    assert mask_prompt(" \n\t ") == ""


def test_different_templates_get_different_ids() -> None:
    prompts = [
        "Write a poem about the sea",
        "Write a poem about the sea in French",
        "Write an essay about the sea",
        "Summarize the following article",
        "Translate the following article into Spanish",
        "What is 3 plus 4?",
        "What is the capital of France?",
    ]
    ids = {template_id(mask_prompt(p)) for p in prompts}
    assert len(ids) == len(prompts)


# ---------------------------------------------------------------------------------------------------------
# Ids and determinism
# ---------------------------------------------------------------------------------------------------------


def test_template_id_is_documented_blake2b() -> None:
    masked = "explain <str> to <name> in <num> steps"
    expected = "tpl_" + hashlib.blake2b(masked.encode("utf-8"), digest_size=8).hexdigest()
    assert template_id(masked) == expected
    # pinned once from the algorithm above: a change here invalidates every stored template id
    assert template_id("") == "tpl_e4a6a0577479b2b4"
    assert template_id("a \ud800 lone surrogate").startswith("tpl_")  # never raises


def test_band_keys_are_identical_in_another_process() -> None:
    text = "you are a helpful assistant. answer question #<num>: what is <num> times <num>?"
    code = (
        "from graph.load.templates import band_keys, group_templates;"
        f"print(band_keys({text!r}));"
        "print(sorted(group_templates({'a b c d': 1, 'a b c e': 2, 'x y z': 3}, 0.3).items()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    assert output[0] == repr(band_keys(text))
    assert output[1] == repr(sorted(group_templates({"a b c d": 1, "a b c e": 2, "x y z": 3}, 0.3).items()))


def test_band_keys_shape() -> None:
    keys = band_keys("summarize the following text in <num> words")
    assert len(keys) == BANDS == len(set(keys))
    assert all(key.startswith("mh1:") and len(key) == len("mh1:00:") + 16 for key in keys)
    assert band_keys("") == []
    assert minhash_signature("a b c").shape == (BANDS * 6,)


# ---------------------------------------------------------------------------------------------------------
# Near-duplicate grouping
# ---------------------------------------------------------------------------------------------------------

WORDS_TEXT = (
    "about above across after again against almost alone along already also always among animal answer "
    "around asked away back became because become been before began behind being below best better "
    "between body book both brought build built called came cannot carry cause certain change city "
    "close cold come common complete could country course cover cross dark decided deep different "
    "distance does done door down draw during each early earth east easy enough even ever every example "
    "face fact family far farm fast father feel feet field figure find fire first fish five follow food "
    "form found four free friend from full game gave girl give going gold good great green ground group"
)
WORDS = WORDS_TEXT.split()


def make_template(rng: random.Random, length: int = 30) -> list[str]:
    return [rng.choice(WORDS) for _ in range(length)]


def test_one_changed_word_in_a_30_word_template_is_grouped() -> None:
    rng = random.Random(11)
    for _ in range(20):
        words = make_template(rng)
        variant = list(words)
        position = rng.randrange(len(words))
        variant[position] = "zebra"
        base, near = " ".join(words), " ".join(variant)
        groups = group_templates({base: 50, near: 3})
        assert groups[base] == groups[near] == template_id(base), (base, near)


def test_unrelated_prompts_of_similar_length_are_not_grouped() -> None:
    rng = random.Random(12)
    texts = {" ".join(make_template(rng)): 1 for _ in range(300)}
    groups = group_templates(texts)
    assert len(set(groups.values())) == len(texts)
    assert all(groups[text] == template_id(text) for text in texts)


def test_groups_are_transitive_and_canonical_is_most_frequent_then_smallest() -> None:
    rng = random.Random(13)
    words = make_template(rng, 40)
    family = {}
    for i in range(8):  # each variant changes one (different) word: all within ~0.9 of the base
        variant = list(words)
        variant[i * 4] = f"variant{i}"
        family[" ".join(variant)] = 10
    family[" ".join(words)] = 10
    other = " ".join(make_template(rng, 40))
    groups = group_templates({**family, other: 1000})
    assert len({groups[text] for text in family}) == 1
    assert groups[next(iter(family))] == template_id(min(family))  # equal counts: lexicographic
    assert groups[other] == template_id(other)


def test_threshold_controls_grouping() -> None:
    a, b = "a b c d e f g h", "a b c d e f g x"  # bigram Jaccard 6/8 = 0.75
    assert shingle_jaccard(a, b) == pytest.approx(6 / 8)
    assert group_templates({a: 1, b: 1}, threshold=0.8)[b] != template_id(a)
    assert group_templates({a: 1, b: 1}, threshold=0.7)[b] == template_id(a)
    with pytest.raises(ValueError):
        group_templates({a: 1}, threshold=0.0)


def test_grouping_edge_cases() -> None:
    assert group_templates({}) == {}
    assert group_templates({"": 3, "x": 1, "y": 1}) == {"": template_id(""), "x": template_id("x"),
                                                          "y": template_id("y")}


def test_similar_texts_share_band_keys_and_unrelated_do_not() -> None:
    rng = random.Random(14)
    words = make_template(rng, 60)
    near = list(words)
    near[30] = "zebra"
    assert set(band_keys(" ".join(words))) & set(band_keys(" ".join(near)))
    unrelated = " ".join(make_template(rng, 60))
    assert not set(band_keys(" ".join(words))) & set(band_keys(unrelated))


# ---------------------------------------------------------------------------------------------------------
# DuckDB expression ≡ Python function
# ---------------------------------------------------------------------------------------------------------

PIECES = [
    "Explain", "the", "between", "Alice", "Bob Smith", "O'Brien", "don't", "it's", "'quoted text'",
    '"double quoted"', "“curly”", "‘single curly’", "«guillemets»", "「cjk」", "```python\nx = 1\n```",
    "```", "`inline`", '"""doc"""', "https://example.com/a?b=1&c=2.", "www.test.org/path,",
    "ftp://x.y/z)", "user.name+tag@mail.example.co.uk", "/usr/local/bin/python3", "~/notes/todo.md",
    "./run.sh", "C:\\Users\\Bob\\file.txt", "src/app/main.py", "report_2023.pdf",
    "123e4567-e89b-12d3-a456-426614174000", "0xDEADbeef", "a1b2c3d4", "deadbeef", "decade", "1234567",
    "3.14", "1,000,000", "1st", "22nd", "4th", "2024-05-01", "2024-05-01T10:20:30.123+02:00",
    "12/31/1999", "31.12.1999", "March 5, 2024", "5th Sep 2021", "gpt4", "x86", "e2e", "İstanbul",
    "ΣΟΦΙΑ", "ΑΣ", "Ωμέγα", "Łukasz", "Ölçek", "Müller", "José", "McDonald", "Jean-Luc", "naïve",
    "日本語のテキスト", "Привет", "мир", "مرحبا", "עברית", "🙂", "👨\u200d👩\u200d👧", "e\u0301",
    "\xa0", "\u200b", "\ufeff", "\u2028", "\x85", "\x1c", "\x0b", "\t", "\r\n", "\n\n", "  ",
    ",", ".", ";", ":", "!", "?", "(", ")", "[", "]", "<", ">", "<num>", "and", "or", "&",
    "-", "/", "\\", "%", "#", "$5", "'",
    '"', "`", "ß", "ÿ", "Ÿ", "ǅ", "ﬁ", "K", "Å", "ẞ", "\x00", "SQL", "I", "Python", "New York",
    "snake_case", "e.g.", "U.S.", "**bold**", "# Heading", "- item", "and/or", "1/2", "10:30",
    "+1-555-0100",
]
FILLED = [
    "Write a short story about {name} who lives in {city} and owns {n} cats.",
    'Translate the following sentence into French: "{text}"',
    "Given the function below, explain what it does.\n```{lang}\n{code}\n```",
    "Answer question #{n}: what is {x} times {y}?",
    "Summarize {url} for {name} ({email}) by {date}; commit {hex}, issue {uuid}, file {path}.",
]


def fill_template(rng: random.Random) -> str:
    return rng.choice(FILLED).format(
        name=rng.choice(["Alice", "Bob Smith", "José", "Łukasz Nowak", "Zoë"]),
        city=rng.choice(["Paris", "New York", "Kraków"]),
        n=rng.randint(0, 10 ** rng.randint(1, 9)),
        text=rng.choice(["The cat sat.", "I'm 'fine', thanks", "Ça va?"]),
        lang=rng.choice(["py", "js", ""]),
        code=rng.choice(["def f(x):\n    return x*2", "let y = `t${x}`;", "print('hi')"]),
        x=rng.random() * 100,
        y=rng.randint(-50, 50),
        url=f"https://ex{rng.randint(1, 99)}.com/p/{rng.randint(1, 999)}?q=x",
        email=f"user{rng.randint(1, 999)}@corp.example",
        date=f"{rng.randint(2000, 2030)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        hex="".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([7, 8, 40]))),
        uuid="-".join(f"{rng.getrandbits(4 * n):0{n}x}" for n in (8, 4, 4, 4, 12)),
        path=f"/srv/app{rng.randint(1, 9)}/mod_{rng.randint(1, 99)}.py",
    )


def random_unicode(rng: random.Random) -> str:
    ranges = [(32, 126), (1, 0x2FFF), (0x3000, 0xD7FF), (0xE000, 0x10FFFF)]  # no surrogates: not UTF-8
    return "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(0, 60)))


def make_corpus(size: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    corpus = ["", " ", "\n", "```", "``````", '"', "''", "a", "A", "Alice", " Alice", "x Alice", "İ", "Σ",
              "ΑΣ ΑΣ.", "\x00", "x" * 5000 + "@", "1" * 3000, "a b " * 2000]
    for i in range(size):
        if i % 3 == 0:
            corpus.append(fill_template(rng))
        elif i % 3 == 1:
            corpus.append("".join(rng.choice(PIECES) + rng.choice([" ", "", "  ", "\n", ", "])
                                  for _ in range(rng.randint(1, 30))))
        else:
            corpus.append(random_unicode(rng))
    return corpus


def test_sql_expression_matches_python_on_a_varied_corpus() -> None:
    corpus = make_corpus(1500)
    connection = duckdb.connect()
    try:
        connection.register("prompts", pa.table({"i": range(len(corpus)), "prompt": corpus}))
        # the expression is built from our own constant rules and a fixed column name, not from input
        rows = connection.execute(
            f"SELECT i, {mask_prompt_sql('prompt')} FROM prompts ORDER BY i"
        ).fetchall()
        nulls = connection.execute(
            f"SELECT {mask_prompt_sql('p')} FROM (SELECT NULL::VARCHAR AS p)"
        ).fetchall()
    finally:
        connection.close()
    mismatches = [(corpus[i], sql, mask_prompt(corpus[i])) for i, sql in rows
                  if sql != mask_prompt(corpus[i])]
    assert not mismatches, mismatches[:5]
    assert nulls == [(None,)]


@pytest.mark.parametrize("column", ["Prompt", "prompt; DROP TABLE x", "1prompt", "p-q", ""])
def test_mask_prompt_sql_accepts_only_plain_identifiers(column: str) -> None:
    with pytest.raises(AssertionError):
        mask_prompt_sql(column)
