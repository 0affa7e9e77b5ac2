"""The prompt template catalogue: what legitimate users, the evaluation customer and each campaign ask.

A template is split into a head and a tail; both halves are rendered many times with different slot values
and whitespace, and a prompt is one head joined to one tail, so few rendered strings yield many distinct
prompts. Campaign templates get few renderings (their traffic is highly repetitive), legitimate ones many.
"""

from __future__ import annotations

from dataclasses import dataclass

LEGIT, EVALUATION, PROXY, REASONING, PIVOT = "legit", "evaluation", "proxy", "reasoning", "pivot"


@dataclass(frozen=True)
class Template:
    """One prompt template. `context_tokens` is the typical extra input (files, tool schemas, history)."""

    capability: str
    group: str
    weight: float
    head: str
    tail: str
    context_tokens: int
    output_tokens: int


CATALOG: tuple[Template, ...] = (
    # Legitimate background: broad, varied, human.
    Template(
        "chat",
        LEGIT,
        6,
        "Can you help me plan a {small}-day trip to {city}? ",
        "We're into {interest} and don't want to spend more than ${num} a day.",
        60,
        450,
    ),
    Template("chat", LEGIT, 5, "hey quick question - {question}?", "\n", 20, 200),
    Template(
        "chat",
        LEGIT,
        4,
        "Explain {concept} like I'm {small} years old. ",
        "Keep it under {num} words please",
        20,
        300,
    ),
    Template(
        "chat",
        LEGIT,
        3,
        "What's a good birthday gift for my {relative} who loves {interest}? ",
        "Budget is around {num} dollars.",
        20,
        250,
    ),
    Template(
        "coding",
        LEGIT,
        5,
        "Why does this {lang} code throw {error}?\n\n```\n{code}```\n",
        "I'm on version {small}.{num} if that matters.",
        300,
        500,
    ),
    Template(
        "coding",
        LEGIT,
        5,
        "Write a {lang} function that {task}. ",
        "Include a couple of unit tests.",
        80,
        600,
    ),
    Template(
        "coding",
        LEGIT,
        3,
        "Refactor {path} so the {ident} handling is easier to read. ",
        "Here's the file:\n```\n{code}```",
        900,
        700,
    ),
    Template(
        "agentic_coding",
        LEGIT,
        2,
        "In this repo, run the test suite, find why test_{ident} fails in ",
        "{path} and propose a minimal fix as a diff.",
        6000,
        1200,
    ),
    Template(
        "tool_use",
        LEGIT,
        2,
        "Use {tool} to find {topic} notes from last week ",
        "and summarise them in {small} bullet points.",
        700,
        350,
    ),
    Template(
        "reasoning",
        LEGIT,
        3,
        "I'm deciding between {lang} and {lang2} for {task}. ",
        "What are the trade-offs for a team of {small}?",
        40,
        700,
    ),
    Template("math", LEGIT, 3, "Solve {math}", " (this is for my homework, please explain)", 20, 500),
    Template("math", LEGIT, 2, "what is {num} * {num2} + {amount}", "?", 10, 80),
    Template(
        "writing",
        LEGIT,
        5,
        "Write a {tone} email to {name} about {topic}. ",
        "Mention that I'll be out until the {small}th.",
        40,
        350,
    ),
    Template(
        "writing",
        LEGIT,
        3,
        "Proofread this paragraph and fix the grammar: ",
        '"{sentence} {sentence2}"',
        60,
        150,
    ),
    Template("translation", LEGIT, 4, "Translate into {language}: ", '"{sentence}"', 20, 80),
    Template("vision", LEGIT, 2, "What's in this picture ({image})? ", "Is the plant healthy?", 1500, 200),
    Template(
        "data_analysis",
        LEGIT,
        3,
        "Attached is a CSV with columns {column}, {column2} and {metric}. ",
        "Which {column} has the highest average {metric}, and is the difference significant?",
        2500,
        450,
    ),
    Template(
        "data_analysis",
        LEGIT,
        2,
        "Write a SQL query that returns the top {small} customers by {metric} ",
        "for each {column}.",
        200,
        300,
    ),
    # The legitimate evaluation customer: a benchmark harness replaying a handful of graders.
    Template(
        "reasoning",
        EVALUATION,
        5,
        "[eval-run] Grade the answer below for factual accuracy on a 1-{small} "
        'scale. Respond with JSON {{"score": <int>, "reason": <string>}}.\n',
        "Question: {question}\nAnswer: {sentence}",
        250,
        60,
    ),
    Template(
        "coding",
        EVALUATION,
        3,
        "[eval-run] Does this {lang} snippet compile and pass the hidden test? Reply PASS or FAIL only.\n",
        "```\n{code}```",
        400,
        5,
    ),
    Template(
        "chat",
        EVALUATION,
        2,
        "[eval-run] Classify the sentiment of the text as positive, negative or neutral.\n",
        'Text: "{sentence}"',
        80,
        3,
    ),
    # Campaign 1: agentic coding and tool-use trajectories, harvested at scale.
    Template(
        "agentic_coding",
        PROXY,
        5,
        "You are an autonomous coding agent working in {path}. Task: {task}. Available tools: {tools}. ",
        "First state which tool you call and why, then emit every tool call "
        "as JSON with all arguments, then the final patch.",
        3500,
        1400,
    ),
    Template(
        "agentic_coding",
        PROXY,
        4,
        "Given this failing test output:\n{trace}",
        "Write the complete corrected {file}, then list the exact shell commands you would run to verify "
        "the fix, with expected output.",
        2500,
        1600,
    ),
    Template(
        "tool_use",
        PROXY,
        4,
        "SYSTEM: You can call the functions {tools}.\nUSER: {task} for the data in {path}. ",
        "Respond only with the sequence of function calls, and explain the purpose of each argument.",
        1800,
        900,
    ),
    Template(
        "agentic_coding",
        PROXY,
        3,
        "Plan a multi-step agent trajectory to fix issue {issue} ({error}) ",
        "using the tools {tools}. For each step give thought, action, action_input and observation.",
        2200,
        1800,
    ),
    Template(
        "tool_use",
        PROXY,
        3,
        'You have tools: {tools}. The user asks: "{question}". ',
        "Decide which tools to call, in which order, and show the JSON for each call and the final answer.",
        1200,
        700,
    ),
    Template(
        "agentic_coding",
        PROXY,
        3,
        "Act as a senior engineer agent. Repository layout: {path}, {path2}, {path3}. ",
        "Implement: {task}. Show your plan, every file you edit in full, and the test run.",
        4200,
        2000,
    ),
    # Campaign 2: chain-of-thought elicitation on math and logic puzzles.
    Template(
        "reasoning",
        REASONING,
        5,
        "Think step by step and show all of your reasoning before giving the final answer. ",
        "{puzzle}",
        30,
        1900,
    ),
    Template(
        "math",
        REASONING,
        5,
        "Solve the following problem. Write out every intermediate step of your "
        "chain of thought in detail, then state the answer on its own line.\n\n",
        "Problem: {math}",
        30,
        2100,
    ),
    Template(
        "reasoning",
        REASONING,
        4,
        "Let's reason carefully. ",
        "{puzzle} Explain each deduction you make, one per line, and verify the answer at the end.",
        30,
        1700,
    ),
    Template(
        "math",
        REASONING,
        3,
        "Show your complete internal reasoning, including false starts and how you corrected them. ",
        "{math}",
        30,
        2300,
    ),
    Template(
        "reasoning",
        REASONING,
        3,
        "Before answering, enumerate all cases exhaustively and reason about each one step by step. ",
        "{puzzle}",
        30,
        2000,
    ),
    # Campaign 3: coding and reasoning aimed at the newly released model.
    Template(
        "coding",
        PIVOT,
        5,
        "Implement {algorithm} in {lang} with full type annotations. ",
        "Explain the time and space complexity of each function step by step.",
        60,
        1500,
    ),
    Template(
        "coding",
        PIVOT,
        4,
        "Here is a {lang} snippet:\n```\n{code}```\n",
        "Rewrite it to be {quality} and walk through your reasoning for every change.",
        300,
        1300,
    ),
    Template(
        "reasoning",
        PIVOT,
        4,
        "Compare three designs for {task} in {lang}. ",
        "Reason through the trade-offs step by step and pick one, justifying the choice.",
        80,
        1600,
    ),
    Template(
        "agentic_coding",
        PIVOT,
        3,
        "You are a coding agent. Using {tools}, ",
        "{task} in {path} and show each tool call with its result.",
        2000,
        1500,
    ),
    Template("math", PIVOT, 2, "Solve and explain each step: ", "{math}", 30, 1400),
)

# Personal asides appended to many legitimate prompts: people add context, thanks and typos, which makes
# legitimate prompts nearly unique while campaign prompts stay template-shaped.
ASIDES: tuple[str, ...] = (
    " Thanks!",
    " thx",
    " (for a {interest} club newsletter)",
    "\n\nContext: we have about {num} users and a {lang} backend.",
    " My name is {name}, by the way.",
    " Deadline is in {small} days.",
    " ps: sorry for the typos, on my phone",
    " I'm in {city} if that matters.",
    " Last time you told me {num} but that seemed off.",
    " My boss {name} wants it by {small} pm.",
    " Keep it short, I have {small} minutes.",
    " This is attempt #{small}, the previous answer didn't work.",
    "\n\n(ticket {issue}, budget {amount})",
    " Also, what would you do differently for {interest}?",
)
