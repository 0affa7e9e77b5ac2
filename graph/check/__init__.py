"""Automated linkage checks: how strongly does an account, or a signup not yet in the graph, link to the
clusters detection found? Shared by the API (`check` query) and the CLI (`linkage check`).

    model       the input (`CheckSignals`) and the result (`CheckResult`, its reasons and clusters)
    parameters  what the `check_account` / `check_signals` queries are given (the email only as its hash)
    scoring     the query's rows → risk, verdict, matched clusters and reasons (pure; the rules are there)
    runner      one check on the sync (CLI) or async (API) database
    jsonl       one line of a batch input file → `CheckSignals`, or an error naming the line

    >>> result = score_check([{"label": "PaymentMethod", "value": "pm_1", "shared_by": 40, "clusters": []}])
    >>> result.verdict, [reason.kind for reason in result.reasons]
    ('review', ['PAYMENT_METHOD'])
"""

from graph.check.jsonl import parse_signals
from graph.check.model import CheckResult, CheckSignals, ClusterRef, MatchedCluster, Reason, Verdict
from graph.check.parameters import account_parameters, check_parameters, hash_email, query_for
from graph.check.runner import run_check, run_check_async
from graph.check.scoring import cluster_weight, rarity, result_from_rows, score_check
from graph.identity import email_domain

__all__ = [
    "CheckResult",
    "CheckSignals",
    "ClusterRef",
    "MatchedCluster",
    "Reason",
    "Verdict",
    "account_parameters",
    "check_parameters",
    "cluster_weight",
    "email_domain",
    "hash_email",
    "parse_signals",
    "query_for",
    "rarity",
    "result_from_rows",
    "run_check",
    "run_check_async",
    "score_check",
]
