"""Slot fillers for prompt templates: the words, numbers, snippets and paths that vary between prompts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graph.synthetic.identity import FIRST_NAMES

_CITIES = (
    "Lisbon",
    "Kyoto",
    "Mexico City",
    "Cape Town",
    "Vancouver",
    "Istanbul",
    "Hanoi",
    "Krakow",
    "Buenos Aires",
    "Seoul",
    "Edinburgh",
    "Marrakesh",
    "Bangalore",
    "Melbourne",
    "Oslo",
)
_LANGS = ("Python", "TypeScript", "Go", "Rust", "Java", "C++", "SQL", "Bash", "Kotlin", "C#")
_MODULES = ("api", "core", "billing", "auth", "ingest", "utils", "models", "handlers", "jobs", "web")
_FILES = ("main", "server", "client", "parser", "config", "schema", "worker", "cache", "routes", "store")
_EXTS = (".py", ".ts", ".go", ".rs", ".java", ".tsx", ".js")
_IDENTS = ("items", "user_id", "total", "rows", "payload", "cfg", "result", "buf", "count", "session")
_ERRORS = (
    "KeyError: 'user_id'",
    "TypeError: cannot read properties of undefined (reading 'map')",
    "panic: runtime error: index out of range [3] with length 3",
    "NullPointerException",
    "error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable",
    "ModuleNotFoundError: No module named 'yaml'",
    "SyntaxError: unexpected EOF while parsing",
    "segmentation fault (core dumped)",
    "ValueError: too many values to unpack (expected 2)",
)
_TASKS = (
    "parses ISO dates and returns the weekday",
    "deduplicates a list while keeping order",
    "retries an HTTP call with exponential backoff",
    "merges two sorted arrays",
    "validates an email address",
    "reads a CSV and sums one column",
    "debounces a callback",
    "computes a moving average over a stream",
    "converts a nested dict to dotted keys",
    "rate-limits calls per user",
    "paginates a REST endpoint",
    "serialises a tree to JSON",
)
_TOOLS = (
    "search_web",
    "read_file",
    "write_file",
    "run_shell",
    "run_tests",
    "git_diff",
    "open_url",
    "query_db",
    "list_dir",
    "apply_patch",
    "grep",
    "http_get",
    "python_exec",
    "calendar_lookup",
)
_TOPICS = (
    "the quarterly roadmap",
    "a delayed shipment",
    "the team offsite",
    "our pricing change",
    "the new onboarding flow",
    "a refund request",
    "next week's demo",
    "the hiring plan",
)
_CONCEPTS = (
    "inflation",
    "photosynthesis",
    "blockchains",
    "black holes",
    "compound interest",
    "vaccines",
    "the stock market",
    "machine learning",
    "plate tectonics",
    "recursion",
)
_INTERESTS = (
    "hiking",
    "street food",
    "museums",
    "jazz",
    "board games",
    "cycling",
    "photography",
    "gardening",
    "vintage cars",
    "climbing",
)
_RELATIVES = ("mom", "dad", "sister", "brother", "grandmother", "partner", "best friend", "uncle")
_TONES = ("polite", "friendly", "formal", "firm but kind", "short", "enthusiastic")
_LANGUAGES = (
    "Spanish",
    "French",
    "German",
    "Japanese",
    "Portuguese",
    "Korean",
    "Italian",
    "Hindi",
    "Polish",
    "Vietnamese",
)
_SENTENCES = (
    "The meeting has been moved to Thursday afternoon.",
    "Please find the signed contract attached.",
    "Our store will be closed for the holidays.",
    "I really enjoyed our conversation yesterday.",
    "The package should arrive within three business days.",
    "Could you send me the latest version of the report?",
    "We are excited to announce our new product line.",
    "Thanks again for your patience while we fixed the issue.",
)
_QUESTIONS = (
    "is it safe to eat raw cookie dough",
    "how long should I boil an egg",
    "why is the sky blue",
    "what's the difference between a virus and bacteria",
    "how do I get rid of fruit flies",
    "can dogs eat grapes",
    "how do noise-cancelling headphones work",
    "what does APR mean on a credit card",
)
_METRICS = ("revenue", "latency_ms", "churn", "score", "price", "duration", "temperature")
_COLUMNS = ("region", "product", "customer_segment", "store_id", "channel", "month")
_ALGOS = (
    "Dijkstra's shortest path",
    "an LRU cache",
    "a trie with prefix search",
    "interval merging",
    "topological sort",
    "a token bucket rate limiter",
    "a min-heap",
    "union-find with path compression",
    "a consistent hashing ring",
    "a B-tree insert",
    "the KMP string search",
    "a skip list",
)
_QUALITIES = ("faster", "thread-safe", "more idiomatic", "testable", "memory efficient", "fully typed")
_PUZZLES = (
    "Five people sit in a row. Ana is left of Ben, Cal is not at either end, Dee sits next to Eve, "
    "and Ben is in seat {n}. Who sits in the middle?",
    "A farmer has {n} animals, chickens and cows, with {m} legs in total. How many cows are there?",
    "Three boxes are labelled apples, oranges and mixed, and every label is wrong. You may take {k} "
    "fruit from one box. How do you relabel them?",
    "If it takes {k} machines {k} minutes to make {k} widgets, how long do {n} machines need for {n} "
    "widgets?",
    "A clock shows {k}:15. What is the angle between the hour and minute hands?",
    "Knights always tell the truth and knaves always lie. A says 'B is a knave', B says 'A and C are "
    "the same type', C says nothing. There are {k} knights. Who is what?",
)
_MATH = (
    "Find all real x such that x^2 - {n}x + {m} = 0.",
    "Prove that the sum of the first {n} odd numbers is a perfect square.",
    "How many ways can {k} people be seated around a round table if two of them refuse to sit together?",
    "Evaluate the integral of x * e^({k}x) from 0 to 1.",
    "A bag has {k} red and {n} blue balls. Two are drawn without replacement. What is P(both red)?",
    "What is the remainder when {n}^{m} is divided by 7?",
    "Find the number of integer solutions of a + b + c = {n} with a, b, c >= 0.",
)
_CODE = (
    "def f({a}):\n    return [x for x in {a} if x]\n",
    "for i in range(len({a})):\n    if {a}[i] == {n}:\n        del {a}[i]\n",
    "const {a} = await fetch(url).then(r => r.json());\nconsole.log({a}.data.map(x => x.id));\n",
    "func sum({a} []int) int {{\n\ttotal := 0\n\tfor _, v := range {a} {{\n\t\ttotal += v\n\t}}\n"
    "\treturn total\n}}\n",
    "SELECT {a}, COUNT(*) FROM orders WHERE created_at > '2026-0{k}-01' GROUP BY 1 ORDER BY 2 DESC;\n",
    'let mut {a} = vec![1, 2, 3];\nlet first = &{a}[0];\n{a}.push({n});\nprintln!("{{}}", first);\n',
    'public int get(Map<String, Integer> {a}) {{\n    return {a}.get("key") + {n};\n}}\n',
    'while read line; do\n  echo "$line" | cut -d, -f{k} >> {a}.txt\ndone < input.csv\n',
)
_TRACE = (
    'Traceback (most recent call last):\n  File "{p}", line {n}, in <module>\n    main()\n{e}\n',
    "FAILED tests/test_{f}.py::test_{a} - AssertionError: assert {n} == {m}\n",
    "error: test failed, to rerun pass `--lib`\n  left: {n}\n right: {m}\n",
)


def _pick(options: tuple[str, ...]) -> Callable[[np.random.Generator], str]:
    return lambda rng: options[int(rng.integers(0, len(options)))]


def _path(rng: np.random.Generator) -> str:
    module = _MODULES[int(rng.integers(0, len(_MODULES)))]
    name = _FILES[int(rng.integers(0, len(_FILES)))]
    ext = _EXTS[int(rng.integers(0, len(_EXTS)))]
    return f"src/{module}/{name}{ext}"


def _ints(rng: np.random.Generator) -> dict[str, str]:
    return {
        "n": str(int(rng.integers(3, 60))),
        "m": str(int(rng.integers(2, 400))),
        "k": str(int(rng.integers(2, 9))),
    }


def _fill(options: tuple[str, ...], rng: np.random.Generator) -> str:
    ident = _IDENTS[int(rng.integers(0, len(_IDENTS)))]
    text = options[int(rng.integers(0, len(options)))]
    return text.format(
        a=ident,
        p=_path(rng),
        e=_ERRORS[int(rng.integers(0, len(_ERRORS)))],
        f=_FILES[int(rng.integers(0, len(_FILES)))],
        **_ints(rng),
    )


def _tools(rng: np.random.Generator) -> str:
    chosen = rng.choice(len(_TOOLS), size=int(rng.integers(3, 6)), replace=False)
    return ", ".join(_TOOLS[i] for i in chosen)


FILLERS: dict[str, Callable[[np.random.Generator], str]] = {
    "num": lambda rng: str(int(rng.integers(2, 500))),
    "small": lambda rng: str(int(rng.integers(2, 12))),
    "amount": lambda rng: f"{rng.uniform(5, 5000):.2f}",
    "name": lambda rng: FIRST_NAMES[int(rng.integers(0, len(FIRST_NAMES)))].capitalize(),
    "city": _pick(_CITIES),
    "lang": _pick(_LANGS),
    "path": _path,
    "file": lambda rng: _FILES[int(rng.integers(0, len(_FILES)))] + _EXTS[int(rng.integers(0, len(_EXTS)))],
    "ident": _pick(_IDENTS),
    "error": _pick(_ERRORS),
    "task": _pick(_TASKS),
    "tool": _pick(_TOOLS),
    "tools": _tools,
    "topic": _pick(_TOPICS),
    "concept": _pick(_CONCEPTS),
    "interest": _pick(_INTERESTS),
    "relative": _pick(_RELATIVES),
    "tone": _pick(_TONES),
    "language": _pick(_LANGUAGES),
    "sentence": _pick(_SENTENCES),
    "question": _pick(_QUESTIONS),
    "metric": _pick(_METRICS),
    "column": _pick(_COLUMNS),
    "algorithm": _pick(_ALGOS),
    "quality": _pick(_QUALITIES),
    "puzzle": lambda rng: _fill(_PUZZLES, rng),
    "math": lambda rng: _fill(_MATH, rng),
    "code": lambda rng: _fill(_CODE, rng),
    "trace": lambda rng: _fill(_TRACE, rng),
    "image": lambda rng: f"IMG_{int(rng.integers(1000, 9999))}.jpg",
    "issue": lambda rng: f"#{int(rng.integers(10, 9000))}",
}


class SlotValues(dict[str, str]):
    """A mapping that invents a value the first time a slot is used; repeats of a slot agree."""

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self._rng = rng

    def __missing__(self, key: str) -> str:
        # `{lang2}` is a second, independent `{lang}` in the same template.
        value = FILLERS[key.rstrip("0123456789")](self._rng)
        self[key] = value
        return value


# --- fillers of the full scenario's templates (lookalikes and curricula) -----------------------------------
_LOG_LEVELS = ("ERROR", "WARN", "INFO", "ERROR", "WARN")
_LOG_EVENTS = (
    "connection reset by peer",
    "retrying request (attempt {k}/5)",
    "disk usage at {n}% on /var/lib/data",
    "job finished in {m}s",
    "upstream returned 503",
    "slow query took {m}ms",
    "certificate expires in {n} days",
    "queue depth {m} above threshold",
    "worker {k} restarted",
    "cache miss ratio {n}%",
)
_REVIEW_TEXTS = (
    "Delivery was late but the product works fine.",
    "Stopped working after two weeks, very disappointed.",
    "Great value, would buy again.",
    "The app keeps logging me out.",
    "Customer support solved my problem quickly.",
    "Sizing runs small, order one up.",
    "Battery life is much worse than advertised.",
    "Setup took five minutes, love it.",
)
_HEADLINES = (
    "Central bank holds rates steady amid slowing growth",
    "City council approves new cycling lanes downtown",
    "Chipmaker reports record quarterly revenue",
    "Heatwave expected to last through the weekend",
    "Open-source project releases major version",
    "Airline cancels flights after system outage",
    "Researchers publish dataset on urban air quality",
    "Retailer recalls batch of kitchen appliances",
)
_EDITOR_REQUESTS = (
    "why does this throw {error}?",
    "add type hints to {ident}",
    "write unit tests for {path}",
    "explain what this function does",
    "refactor this to use async/await",
    "/fix the failing test in {path}",
    "/explain",
    "/tests for the selected code",
    "rename {ident} to something clearer across the file",
    "make this loop faster",
    "convert this to {lang}",
    "add error handling for the network call",
    "what's the complexity of this?",
    "generate a docstring",
    "is there a race condition here?",
)
_AGENT_TASKS = (
    "find the three most recent invoices over {amount} dollars and email a summary to {name}",
    "check whether the staging deploy succeeded and open a ticket if not",
    "look up the weather in {city} for tomorrow and add it to my calendar",
    "summarise the open pull requests in our repo and rank them by risk",
    "find flights to {city} under {num} dollars next month",
    "collect the latest prices for our top {small} competitors' products",
    "draft replies to unanswered support emails from today",
    "download the monthly sales report and compute growth by {column}",
    "research {concept} and write a one-page brief with sources",
    "clean up stale branches older than {small} months",
)
_SUBJECTS = (
    "high school biology",
    "college physics",
    "world history",
    "professional law",
    "elementary mathematics",
    "computer security",
    "econometrics",
    "clinical knowledge",
    "moral scenarios",
    "astronomy",
)
_FACTS = (
    "Which organelle is the site of aerobic respiration",
    "Which quantity is conserved in an elastic collision",
    "Which treaty ended the war described in the passage",
    "Which of the following best describes a contract of adhesion",
    "Which number is prime",
    "Which attack exploits a time-of-check to time-of-use gap",
    "Which estimator is unbiased under heteroskedasticity",
    "Which symptom is most characteristic of the condition described",
    "In which scenario does the main character do something clearly wrong",
    "Which planet has the shortest orbital period",
)
_OPTIONS = (
    "the mitochondrion",
    "kinetic energy",
    "the Treaty of Westphalia",
    "a standard-form agreement",
    "{m}",
    "a race condition",
    "ordinary least squares",
    "fatigue",
    "Scenario {k}",
    "Mercury",
    "the ribosome",
    "momentum only",
    "the Treaty of Utrecht",
    "a unilateral contract",
    "{n}",
    "a replay attack",
    "two-stage least squares",
    "fever",
    "neither scenario",
    "Venus",
)
_WORD_PROBLEMS = (
    "{name} buys {k} notebooks at {n} dollars each and pays with a {m}-dollar bill. How much change does "
    "{name} get?",
    "A train travels {m} km in {k} hours. At the same speed, how far does it go in {n} hours?",
    "{name} has {m} stickers and gives away {n} of them to {k} friends equally. How many does each friend "
    "get?",
    "A recipe needs {k} eggs for {n} pancakes. How many eggs are needed for {m} pancakes?",
    "A shop sells pens in packs of {k}. {name} needs {m} pens. How many packs must be bought?",
)
_FUNCTION_TASKS = (
    ("has_close_elements", "numbers, threshold", "Check if any two numbers are closer than threshold."),
    ("separate_groups", "paren_string", "Split a string of balanced parentheses groups into a list."),
    ("truncate_number", "number", "Return the decimal part of a positive float."),
    ("below_zero", "operations", "Return True if a running balance ever drops below zero."),
    ("mean_absolute_deviation", "numbers", "Compute the mean absolute deviation around the mean."),
    ("intersperse", "numbers, delimiter", "Insert delimiter between every two consecutive elements."),
    ("parse_nested", "text", "Return the deepest nesting level of each group of parentheses."),
    ("filter_by_prefix", "strings, prefix", "Keep only the strings that start with prefix."),
    ("rolling_max", "numbers", "Return the running maximum of the list."),
    ("count_vowels", "word", "Count the vowels in word, treating a final y as a vowel."),
)
# Curriculum: the varied tasks a distillation operator cycles through (one dataset, many topics).
_EDGES = (
    "empty input",
    "duplicate keys",
    "very large numbers",
    "unicode text",
    "concurrent writers",
    "negative values",
    "missing fields",
    "cyclic references",
)
_ARTIFACTS = ("class", "CLI tool", "REST handler", "library function", "script", "middleware", "data loader")
_ROLES = (
    "hospital administrator",
    "small-business owner",
    "city planner",
    "startup CTO",
    "school principal",
    "logistics manager",
    "biotech researcher",
    "public defender",
)
_CHOICES = (
    "building in-house",
    "buying a vendor product",
    "delaying the launch",
    "hiring contractors",
    "raising prices",
    "cutting the feature",
    "migrating to the cloud",
    "staying on premises",
)
_CONSTRAINTS = (
    "a fixed budget",
    "strict privacy rules",
    "a two-week deadline",
    "an unreliable network",
    "a team of three",
    "legacy hardware",
    "regulatory review",
    "seasonal demand",
)
_CLAIMS = (
    "every bounded monotone sequence converges",
    "the product of two odd integers is odd",
    "there are infinitely many primes of the form 4k+3",
    "a tree with n vertices has n-1 edges",
    "the square root of 2 is irrational",
    "every finite group of prime order is cyclic",
)
_GOALS = (
    "reconcile the two ledgers and report mismatches",
    "find and fix the broken links on the docs site",
    "book the cheapest refundable hotel near the venue",
    "compare the three vendors' SLAs and recommend one",
    "migrate the cron jobs to the new scheduler",
    "audit the IAM roles for unused permissions",
)
_DOCS = ("policy memo", "product brief", "lesson plan", "press release", "grant abstract", "runbook", "FAQ")
_AUDIENCES = (
    "new employees",
    "senior executives",
    "high-school students",
    "non-technical customers",
    "on-call engineers",
    "investors",
)
_TOPICS2 = (
    "supply-chain risk",
    "data retention",
    "remote onboarding",
    "energy efficiency",
    "incident response",
    "accessibility",
    "carbon accounting",
    "vendor lock-in",
)
_ANALYSES = (
    "find seasonality and forecast the next quarter",
    "test whether the difference between groups is significant",
    "detect outliers and explain them",
    "build a cohort retention table",
    "estimate the price elasticity",
    "segment customers with k-means and describe the segments",
)
_DOMAINS = (
    "healthcare",
    "finance",
    "retail",
    "education",
    "manufacturing",
    "law",
    "gaming",
    "agriculture",
    "transport",
    "energy",
)
_LEVELS = ("introductory", "intermediate", "advanced", "expert", "olympiad")


def _log_lines(rng: np.random.Generator) -> str:
    lines = []
    for _ in range(int(rng.integers(3, 8))):
        level = _LOG_LEVELS[int(rng.integers(0, len(_LOG_LEVELS)))]
        event = _LOG_EVENTS[int(rng.integers(0, len(_LOG_EVENTS)))].format(**_ints(rng))
        module = _MODULES[int(rng.integers(0, len(_MODULES)))]
        stamp = f"2026-10-{int(rng.integers(1, 29)):02d}T{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"
        lines.append(f"{stamp}Z {level} [{module}] {event}")
    return "\n".join(lines) + "\n"


def _rows(rng: np.random.Generator) -> str:
    column = _COLUMNS[int(rng.integers(0, len(_COLUMNS)))]
    metric = _METRICS[int(rng.integers(0, len(_METRICS)))]
    values = [f"{column}_{i},{rng.uniform(0, 1000):.1f}" for i in range(int(rng.integers(3, 9)))]
    return f"{column},{metric}\n" + "\n".join(values) + "\n"


def _mcq(rng: np.random.Generator) -> str:
    subject = _SUBJECTS[int(rng.integers(0, len(_SUBJECTS)))]
    fact = _FACTS[int(rng.integers(0, len(_FACTS)))]
    picks = rng.choice(len(_OPTIONS), size=4, replace=False)
    options = "\n".join(
        f"{letter}. {_OPTIONS[i].format(**_ints(rng))}" for letter, i in zip("ABCD", picks.tolist(), strict=True)
    )
    return f"Subject: {subject}\nQuestion: {fact}?\n{options}\nAnswer:"


def _function_task(rng: np.random.Generator) -> str:
    name, args, doc = _FUNCTION_TASKS[int(rng.integers(0, len(_FUNCTION_TASKS)))]
    return f'```python\ndef {name}({args}):\n    """{doc} Example: {int(rng.integers(2, 99))}."""\n```'


FILLERS.update(
    {
        "logs": _log_lines,
        "rows": _rows,
        "review": _pick(_REVIEW_TEXTS),
        "headline": _pick(_HEADLINES),
        "editor_request": lambda rng: _pick(_EDITOR_REQUESTS)(rng).format_map(SlotValues(rng)),
        "agent_task": lambda rng: _pick(_AGENT_TASKS)(rng).format_map(SlotValues(rng)),
        "mcq": _mcq,
        "word_problem": lambda rng: _pick(_WORD_PROBLEMS)(rng).format(
            name=_pick(FIRST_NAMES)(rng).capitalize(), **_ints(rng)
        ),
        "function_task": _function_task,
        "edge": _pick(_EDGES),
        "artifact": _pick(_ARTIFACTS),
        "role": _pick(_ROLES),
        "choice": _pick(_CHOICES),
        "constraint": _pick(_CONSTRAINTS),
        "claim": _pick(_CLAIMS),
        "goal": _pick(_GOALS),
        "doc": _pick(_DOCS),
        "audience": _pick(_AUDIENCES),
        "topic2": _pick(_TOPICS2),
        "analysis": _pick(_ANALYSES),
        "domain": _pick(_DOMAINS),
        "level": _pick(_LEVELS),
    }
)
