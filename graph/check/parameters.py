"""What the check queries are given: raw values normalised, an email only as the loader's keyed hash.

    >>> signals = CheckSignals(ip="81.2.69.160", email="Someone@Example.com ")
    >>> check_parameters(signals, hash_key="k")["email_domain"]
    'example.com'
    >>> query_for(CheckSignals(account_id="acct-1"), hash_key="k")[0]
    'check_account'
"""

from __future__ import annotations

from typing import Any

from graph.check.model import CheckSignals
from graph.identity import email_domain, email_hash

# Identifiers with more connections than this are counted (O(1) degree) but never expanded to accounts.
EXPAND_CAP = 500
MAX_IDENTIFIERS = 200
MAX_CLUSTERS_PER_IDENTIFIER = 5
# Relationship types an account check follows (Org membership is legitimate sharing by design).
CHECK_REL_TYPES = ["PAID_WITH", "SIGNED_UP_FROM", "USED_IP", "USED_CLIENT", "USED_KEY", "HAS_EMAIL_DOMAIN",
                   "SENT_TEMPLATE"]


def hash_email(email: str, hash_key: str) -> str | None:
    """The loader's keyed hash of an address (`graph.identity`: one rule for both sides)."""
    return email_hash(email, hash_key)


def check_parameters(signals: CheckSignals, *, hash_key: str) -> dict[str, Any]:
    """The `check_signals` query's parameters: raw values normalised, the email only as its hash."""
    return {
        "payment_fingerprint": signals.payment_fingerprint,
        "ip": signals.ip,
        "client_fingerprint": signals.client_fingerprint,
        "email_domain": email_domain(signals.email) if signals.email else None,
        "email_hash": hash_email(signals.email, hash_key) if signals.email else None,
        "expand_cap": EXPAND_CAP,
        "max_clusters": MAX_CLUSTERS_PER_IDENTIFIER,
    }


def account_parameters(account_id: str) -> dict[str, Any]:
    """The `check_account` query's parameters."""
    return {"account_id": account_id, "rel_types": CHECK_REL_TYPES, "max_identifiers": MAX_IDENTIFIERS,
            "expand_cap": EXPAND_CAP, "max_clusters": MAX_CLUSTERS_PER_IDENTIFIER}


def query_for(signals: CheckSignals, *, hash_key: str) -> tuple[str, dict[str, Any]]:
    """The named query and parameters a check of `signals` runs."""
    if signals.account_id:
        return "check_account", account_parameters(signals.account_id)
    return "check_signals", check_parameters(signals, hash_key=hash_key)
