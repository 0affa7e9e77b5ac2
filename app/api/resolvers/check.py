"""`check(input)`: the automated linkage check (logic in graph/check/, shared with the CLI).

A viewer key (the signup pipeline's) gets the risk, the verdict and the matched clusters, but no reasons:
per-identifier reasons would tell whoever holds such a key which emails, cards or IPs the provider knows.
What is left answers an unknown identifier exactly as one that is known but leads nowhere (risk 0, allow, no
clusters), so the check is no existence oracle; it answers only what the gate must answer anyway — that an
identifier leads to a flagged cluster. Analysts and admins get the reasons.
"""

from __future__ import annotations

from pydantic import ValidationError

from app.api.context import LinkageInfo
from app.api.errors import BadInputError
from app.api.types.check import CheckInput, CheckResult
from app.credentials import Role
from graph.check import CheckSignals, run_check_async
from graph.errors import LinkageError


async def resolve_check(info: LinkageInfo, input: CheckInput) -> CheckResult:
    """Risk, verdict, matched clusters and reasons; audited (operation and outcome, never the signals)."""
    try:
        signals = CheckSignals(account_id=input.account_id, payment_fingerprint=input.payment_fingerprint,
                               ip=input.ip, email=input.email, client_fingerprint=input.client_fingerprint)
    except ValidationError as error:
        first = error.errors()[0]
        info.context.record("check", outcome="BAD_USER_INPUT")
        raise BadInputError(str(first["msg"]), field=".".join(map(str, first["loc"])) or None) from None
    try:
        outcome = await run_check_async(info.context.database, signals)
    except LinkageError as error:
        info.context.record("check", outcome=error.code)
        raise
    info.context.record("check", verdict=outcome.verdict, reasons=len(outcome.reasons))
    return CheckResult.from_outcome(outcome, with_reasons=info.context.principal.allows(Role.ANALYST))
