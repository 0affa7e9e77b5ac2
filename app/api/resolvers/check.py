"""`check(input)`: the automated linkage check (logic in graph/check/, shared with the CLI)."""

from __future__ import annotations

from pydantic import ValidationError

from app.api.context import LinkageInfo
from app.api.errors import BadInputError
from app.api.types.check import CheckInput, CheckResult
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
    return CheckResult.from_outcome(outcome)
