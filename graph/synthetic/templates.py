"""The prompt template catalogue: what legitimate users, the evaluation customer and each campaign ask.

A template is split into a head and a tail; both halves are rendered many times with different slot values
and whitespace, and a prompt is one head joined to one tail, so few rendered strings yield many distinct
prompts. Campaign templates get few renderings (their traffic is highly repetitive), legitimate ones many.
"""

from __future__ import annotations

from dataclasses import dataclass

LEGIT, EVALUATION, PROXY, REASONING, PIVOT = "legit", "evaluation", "proxy", "reasoning", "pivot"
# Groups of the full scenario (EXTENDED_CATALOG).
PAYLOAD, EDITOR, AGENT, BENCHMARK, STARTER, CURRICULUM = (
    "payload",
    "editor",
    "agent",
    "benchmark",
    "starter",
    "curriculum",
)


@dataclass(frozen=True)
class Template:
    """One prompt template. `context_tokens` is the typical extra input (files, tool schemas, history).

    The optional fields serve the full scenario: rendering counts per half (default: the group's), `exact`
    (no whitespace noise: every user sends the very same text, as a tool or a published benchmark does),
    `asides` (personal asides appended; default: legitimate group only) and `takes_head` (the head is
    replaced by an account's own wording or an operator's wrapper when the account has one).
    """

    capability: str
    group: str
    weight: float
    head: str
    tail: str
    context_tokens: int
    output_tokens: int
    head_variants: int | None = None
    tail_variants: int | None = None
    exact: bool = False
    asides: bool | None = None
    takes_head: bool = False


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


# ---------------------------------------------------------------------------------------------------------
# The full scenario's templates. Kept apart from CATALOG so that the classic world renders exactly the
# strings it always did; their indices follow CATALOG's (index = len(CATALOG) + position).
# ---------------------------------------------------------------------------------------------------------

_EDITOR_HEAD = (
    "You are Codemate, an AI programming assistant running inside {editor}. Follow the user's requirements "
    "carefully and to the letter. Keep answers short and impersonal. Use Markdown code blocks with the "
    "language name for any code. Only modify the code the user asks about, do not invent APIs, and say so "
    "when you are unsure. The active file is {{file}} ({{lang}}); the selection and open editors are "
    "attached as context.\n\nUser: "
)
_AGENT_HEAD = (
    "You are an agent that completes tasks by calling tools. Tools available:\n{tools}\n\n"
    "Always reply in this format:\nThought: reason about what to do next\nAction: one tool name from the "
    "list\nAction Input: the JSON arguments\nObservation: (filled in by the runtime)\n"
    "Repeat Thought/Action/Observation as needed, then finish with\nFinal Answer: the answer for the user."
    "\n\n"
)

EXTENDED_CATALOG: tuple[Template, ...] = (
    # Payloads of scheduled jobs: each account's own instruction (wording.py) replaces the head.
    Template("data_analysis", PAYLOAD, 3, "Summarise these log lines:\n", "{logs}", 400, 250,
             tail_variants=400, takes_head=True),
    Template("chat", PAYLOAD, 3, "Triage this support ticket:\n",
             "Ticket {issue} from {name}: {review} {sentence}", 120, 200, tail_variants=400, takes_head=True),
    Template("writing", PAYLOAD, 2, "Write a digest of these headlines:\n", "- {headline}\n- {headline2}\n",
             80, 300, tail_variants=300, takes_head=True),
    Template("data_analysis", PAYLOAD, 2, "Describe the trend in these rows:\n", "{rows}", 300, 250,
             tail_variants=400, takes_head=True),
    Template("writing", PAYLOAD, 2, "Classify the sentiment of this review:\n", '"{review}"', 40, 20,
             tail_variants=200, takes_head=True),
    Template("coding", PAYLOAD, 2, "Write release notes for these commits:\n",
             "fix {ident} handling in {path}\nadd retry to {path2}\nbump {lang} deps\n", 200, 350,
             tail_variants=300, takes_head=True),
    # A popular editor extension: its system prompt (per editor host) before the user's request.
    Template("coding", EDITOR, 7, _EDITOR_HEAD.format(editor="Visual Studio Code"), "{editor_request}",
             1800, 450, head_variants=60, tail_variants=400, asides=True),
    Template("coding", EDITOR, 2, _EDITOR_HEAD.format(editor="a JetBrains IDE"), "{editor_request}",
             1800, 450, head_variants=60, tail_variants=400, asides=True),
    Template("agentic_coding", EDITOR, 1, _EDITOR_HEAD.format(editor="Neovim"), "{editor_request}",
             2200, 600, head_variants=60, tail_variants=400, asides=True),
    # A popular open-source agent framework: the same tool-calling scaffold around every user's task.
    Template("tool_use", AGENT, 3, _AGENT_HEAD, "Task: {agent_task}\nThought:", 1500, 300,
             head_variants=80, tail_variants=400, exact=True),
    Template("agentic_coding", AGENT, 1, _AGENT_HEAD, "Task: in {path}, {task}\nThought:", 2500, 400,
             head_variants=80, tail_variants=300, exact=True),
    # Public benchmarks: the published harness prompt and items, identical for every researcher.
    Template("reasoning", BENCHMARK, 1, "The following are multiple choice questions (with answers). "
             "Reply with the letter only.\n\n", "{mcq}", 150, 2, head_variants=1, tail_variants=300,
             exact=True, takes_head=True),
    Template("math", BENCHMARK, 1, "Solve the following problem. Show your work and give the final answer "
             "after '####'.\n\n", "Problem: {word_problem}", 60, 250, head_variants=1, tail_variants=250,
             exact=True, takes_head=True),
    Template("coding", BENCHMARK, 1, "Complete the following Python function. Return only code.\n\n",
             "{function_task}", 120, 150, head_variants=1, tail_variants=164, exact=True, takes_head=True),
    # The provider's quickstart, run by every workshop: one fixed text per exercise.
    Template("chat", STARTER, 1, "Hello! Write a haiku about ", "the ocean.", 10, 40, head_variants=1,
             tail_variants=1, exact=True),
    Template("chat", STARTER, 1, "Explain what a large language model is ", "in two sentences.", 10, 80,
             head_variants=1, tail_variants=1, exact=True),
    Template("data_analysis", STARTER, 1, "Return a JSON object describing a fictional book ",
             "with the keys title, author and year.", 15, 60, head_variants=1, tail_variants=1, exact=True),
    Template("writing", STARTER, 1, "Summarise the following text in one sentence: ",
             "Photosynthesis is the process by which plants use sunlight, water and carbon dioxide to make "
             "glucose and release oxygen.", 30, 40, head_variants=1, tail_variants=1, exact=True),
    Template("translation", STARTER, 1, "Translate 'Good morning, how are you?' ",
             "into French, Spanish and German.", 15, 50, head_variants=1, tail_variants=1, exact=True),
    Template("tool_use", STARTER, 1, "What's the weather in Paris? ", "Use the get_weather tool.", 200, 60,
             head_variants=1, tail_variants=1, exact=True),
    # Distillation curricula: varied tasks; an operator's wrapper (head) and format instruction (suffix)
    # are what its prompts share.
    Template("coding", CURRICULUM, 4, "", "Implement {algorithm} in {lang} as a {artifact}, handling "
             "{edge}.", 60, 1500, head_variants=1, tail_variants=1200, exact=True, takes_head=True),
    Template("coding", CURRICULUM, 2, "", "Port this {lang} code to {lang2} and explain each change:\n"
             "```\n{code}```\n", 250, 1300, head_variants=1, tail_variants=800, exact=True, takes_head=True),
    Template("reasoning", CURRICULUM, 3, "", "A {role} in {domain} must choose between {choice} and "
             "{choice2} under {constraint}. Which is better and why?", 60, 1600, head_variants=1,
             tail_variants=1200, exact=True, takes_head=True),
    Template("reasoning", CURRICULUM, 2, "", "{puzzle}", 30, 1700, head_variants=1, tail_variants=800,
             exact=True, takes_head=True),
    Template("math", CURRICULUM, 3, "", "{math} Then prove that {claim}.", 30, 1900, head_variants=1,
             tail_variants=1200, exact=True, takes_head=True),
    Template("agentic_coding", CURRICULUM, 2, "", "Repository {path}: {task}. The tests fail with:\n"
             "{trace}", 2500, 1800, head_variants=1, tail_variants=800, exact=True, takes_head=True),
    Template("tool_use", CURRICULUM, 2, "", "Using the tools {tools}, {goal}.", 1200, 900, head_variants=1,
             tail_variants=800, exact=True, takes_head=True),
    Template("writing", CURRICULUM, 1, "", "Write a {doc} for {audience} about {topic2} in {domain}.", 40,
             1100, head_variants=1, tail_variants=800, exact=True, takes_head=True),
    Template("data_analysis", CURRICULUM, 1, "", "Given a table with columns {column}, {column2} and "
             "{metric}, {analysis}.", 400, 1000, head_variants=1, tail_variants=800, exact=True, takes_head=True),
)
# Task details appended to curriculum prompts (a fourth part): levels, domains, audiences and constraints
# vary per request, so that almost no two curriculum prompts are the same text.
CURRICULUM_DETAILS: tuple[str, ...] = (
    "Difficulty: {level}.",
    "Domain: {domain}.",
    "Audience: {audience}.",
    "Constraint: {constraint}.",
    "Assume {edge}.",
    "Context: the reader is a {role}.",
    "Keep it relevant to {topic2}.",
)
