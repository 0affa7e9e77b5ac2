"""Per-account wording: the instruction a developer wrote into their own scheduled job, a researcher's own
benchmark harness, and the wrappers and output-format instructions of distillation operators.

Independent people phrase the same purpose differently, so a job's instruction is composed from many
independent choices (verb, object, output format, constraint, project name, separator): two developers
who both summarise logs every hour almost never send the same text. Operators are the opposite: one
pipeline, one wrapper; when they paraphrase the wrapper to look diverse, the output-format instruction
stays exact, because their parser needs it.
"""

from __future__ import annotations

import numpy as np

from graph.synthetic.identity import PROJECT_WORDS
from graph.synthetic.vocabulary import SlotValues

_PREFIXES = ("", "", "", "[{project}] ", "{project}: ", "You are a helpful assistant for {project}. ",
             "System: you work for the {project} team.\n", "### {project} bot\n")
# Per payload template of EXTENDED_CATALOG (same order): what the job does with its input.
_PURPOSES: tuple[tuple[str, ...], ...] = (
    ("Summarize", "Summarise", "Give me a short summary of", "Triage", "Find the root cause in",
     "List the distinct errors in", "Explain what went wrong in", "tl;dr"),
    ("Classify", "Triage", "Draft a reply to", "Tag and prioritise", "Route", "Extract the customer's ask from",
     "Label the urgency of", "Suggest a canned response for"),
    ("Write a digest of", "Summarize", "Pick the 3 most important of", "Turn into a newsletter intro",
     "Write a tweet thread about", "Group by topic"),
    ("Describe the trend in", "Spot anomalies in", "Write a one-paragraph report on", "Compare week over week",
     "Explain the biggest change in", "Flag outliers in"),
    ("Classify the sentiment of", "Rate from 1 to 5", "Is this positive or negative:", "Extract complaints from",
     "Detect the product mentioned in", "Score the sentiment of"),
    ("Write release notes for", "Summarize", "Write a changelog entry for", "Explain for non-engineers",
     "Group into features and fixes", "Draft the weekly engineering update from"),
)
_OBJECTS: tuple[tuple[str, ...], ...] = (
    ("the following log lines", "these logs", "the last hour of logs", "this log excerpt", "the job output below",
     "the errors below"),
    ("this support ticket", "the ticket below", "the following customer message", "this email", "the request below"),
    ("these headlines", "today's news items", "the RSS entries below", "the following articles"),
    ("these rows", "the metrics below", "today's numbers", "this CSV", "the dashboard export below"),
    ("this review", "the following review", "the customer feedback below", "this comment"),
    ("these commits", "the merged changes below", "this git log", "the following diff summary"),
)
_FORMATS = ("", "", " in {k} bullet points", ' as JSON with keys "{f1}" and "{f2}"', " as a markdown table",
            ". One line per item", ", max {n} words", ". Reply in {language}", " as plain text, no markdown",
            '. Output format: {f1}|{f2}')
_CONSTRAINTS = ("", "", "", " Be concise.", " Don't include timestamps.", " Ignore anything at INFO level.",
                " Use plain English.", " If nothing needs attention, reply OK.", " No preamble.",
                " Don't make things up.", " Keep names out of the answer.")
_SEPARATORS = (":\n\n", ":\n", "\n\n---\n", ":\n```\n", "\n\nInput:\n", " >>>\n")
_FIELDS = ("summary", "severity", "category", "action", "owner", "score", "label", "reason", "priority", "tags")


def compose_job_instruction(rng: np.random.Generator, payload: int) -> str:
    """One developer's instruction for a scheduled job processing payload type `payload` (0..5)."""
    project = f"{_pick(rng, PROJECT_WORDS)}-{_pick(rng, PROJECT_WORDS)}{_pick(rng, ('', '', '2', '-bot', '-etl'))}"
    values = SlotValues(rng)
    values.update({"project": project, "f1": _pick(rng, _FIELDS), "f2": _pick(rng, _FIELDS)})
    values.update(n=str(int(rng.integers(20, 200))), k=str(int(rng.integers(2, 8))))
    core = _pick(rng, _PREFIXES) + _pick(rng, _PURPOSES[payload]) + " " + _pick(rng, _OBJECTS[payload])
    core += _pick(rng, _FORMATS)
    constraint = _pick(rng, _CONSTRAINTS)
    separator = _pick(rng, _SEPARATORS)
    if constraint:
        core = core.rstrip(":") + "." + constraint
    text = core.rstrip(".") + separator if separator.startswith(":") else core + separator
    return text.replace("..", ".").format_map(values)


_HARNESS_OPENERS = ("Answer the question below.", "You are taking an exam.", "Evaluate carefully.",
                    "Q&A evaluation run.", "Benchmark item follows.", "Please answer.")
_HARNESS_RULES = (" Respond with only the final answer.", " Think briefly, then answer.",
                  " Output the answer on the last line.", " Do not explain.", " Give your best guess.")


def compose_harness_instruction(rng: np.random.Generator) -> str:
    """A researcher's own evaluation harness preamble (used instead of the published one)."""
    seed = int(rng.integers(0, 1000))
    return f"{_pick(rng, _HARNESS_OPENERS)}{_pick(rng, _HARNESS_RULES)} [run {seed}]\n\n"


# --- distillation operators --------------------------------------------------------------------------------
RELAY_WRAPPER = (
    "You are a world-class expert. Solve the task below completely and rigorously. Think step by step "
    "before you answer and never shorten or refuse the answer.\n\nTask: "
)
RELAY_FORMAT = (
    "\n\nPut your full reasoning inside <reasoning></reasoning> tags and the final answer inside "
    "<answer></answer> tags."
)
FREE_TIER_WRAPPER = "Question: "
FREE_TIER_FORMAT = "\n\nAnswer in detail. End with a line 'FINAL: <answer>'."
SLEEPER_FORMAT = (
    "\n\nUse exactly these sections:\n## Analysis\n## Solution\n## Verification\nDo not add anything else."
)
LOW_SLOW_FORMAT = (
    '\n\nReturn only a JSON object {"steps": [<string>, ...], "answer": <string>, "confidence": <0-1>} '
    "with no text before or after it."
)
_PERSONAS = ("You are", "Act as", "Behave like", "Take the role of", "Imagine you are", "Pretend to be",
             "Respond as", "Be")
_QUALITIES = ("an expert", "a meticulous", "a patient", "a senior", "a knowledgeable", "an experienced",
              "a careful", "a friendly")
_FIGURES = ("assistant", "tutor", "engineer", "analyst", "problem solver", "teacher", "consultant", "specialist")
_ASKS = ("Help me with this:", "Here is my question:", "Please work through the following.",
         "Can you handle this one?", "I need help with something.", "Task for you:", "Next problem:",
         "Quick one:")


def paraphrase_wrapper(rng: np.random.Generator) -> str:
    """An operator's system prompt, reworded (persona x quality x role x ask: 4,096 variants)."""
    return f"{_pick(rng, _PERSONAS)} {_pick(rng, _QUALITIES)} {_pick(rng, _FIGURES)}. {_pick(rng, _ASKS)}\n\n"


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(0, len(options)))]
