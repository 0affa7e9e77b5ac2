"""The one identity rule for email addresses: how an address is normalised, hashed and split.

The loader (DuckDB, through a Python function registered on its connection) and the linkage check (the
API and `linkage check`) both call these functions, so an address typed differently on the two sides
still hashes the same. The rule, in order (docs/input-format.md, "Emails"):

1. Unicode NFKC (full-width letters, ligatures, NBSP and other compatibility forms become plain ones);
2. invisible format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens, BOM)
   are removed wherever they are;
3. Unicode case folding (then NFKC again, since folding can leave non-normalised text), so `İ`, `ß` and
   mixed case compare as Unicode says they do;
4. Unicode whitespace trimmed at both ends;
5. when the text is an address (`local@domain`, split at the last `@`), whitespace is trimmed around
   the `@` too, and:
   - the domain: ideographic full stops read as dots, trailing dots dropped (`example.com.` is
     `example.com`), `xn--` labels decoded to Unicode (IDNA), so the ASCII and Unicode spellings of a
     domain agree;
   - the local part's sub-address is dropped: everything from the first `+` (`bob+promo` is `bob`),
     for every domain (most mail services and servers deliver `+tag` to the untagged mailbox; an
     account farm makes unlimited aliases of one mailbox this way). A local part that starts with
     `+` is kept whole;
   - for `gmail.com` and `googlemail.com` only (Google ignores dots in consumer Gmail addresses, and
     `googlemail.com` is the same service), the local part's dots are removed and the domain is
     `gmail.com`. Other services' dots (Outlook, Yahoo, iCloud, corporate domains) are kept: there
     they tell mailboxes apart.

The hash is HMAC-SHA256 under the provider's key (`LINKAGE_HASH_KEY`) of the normalised text, in
lowercase hex. The key stays in Python: it never appears in SQL text or in an error message.

    >>> normalise_email("  Bob.Smith+promo@GoogleMail.com. ")
    'bobsmith@gmail.com'
    >>> normalise_email("ＡＬＩＣＥ@Ｅｘａｍｐｌｅ.ＣＯＭ\\u00a0") == normalise_email("alice@example.com")
    True
    >>> email_domain("someone@Bücher.example"), email_domain("someone@xn--bcher-kva.example")
    ('bücher.example', 'bücher.example')
    >>> email_hash("\\u2003", "key") is None
    True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable

# Services where dots in the local part do not matter, and the domain they are folded to.
DOTLESS_DOMAINS: dict[str, str] = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
SUBADDRESS_DELIMITER = "+"
# Label separators IDNA accepts besides "." (NFKC already turns U+FF0E into ".").
_DOT_LIKE = re.compile("[\u3002\uff61]")
# A value that looks like an email address (used to keep raw addresses out of kept columns).
_ADDRESS_LIKE = re.compile(r"[^@\s]+@[^@\s]+")


def normalise_text(text: str) -> str:
    """Steps 1–4 of the rule: NFKC, format characters removed, case folded, whitespace trimmed.

    >>> normalise_text("\\u00a0İstanbul\\u200b ")
    'i̇stanbul'
    """
    if text.isascii():  # the common case, same result: NFKC is the identity and folding is lower-casing
        return text.lower().strip()
    value = unicodedata.normalize("NFKC", text)
    value = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return unicodedata.normalize("NFKC", value.casefold()).strip()


def _decode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:  # not valid punycode: keep the label as written
        return label


def normalise_domain(domain: str) -> str:
    """A domain as the rule compares it (see the module docstring, step 5).

    >>> normalise_domain("Example.COM.")
    'example.com'
    """
    value = normalise_text(domain)
    if value.isascii() and "xn--" not in value:  # the common case, same result as below
        return value.rstrip(".").strip()
    value = _DOT_LIKE.sub(".", value).rstrip(".")
    return normalise_text(".".join(_decode_label(label) for label in value.split(".")))


def normalise_email(email: str) -> str:
    """An email address as the rule compares it (the module docstring says how)."""
    value = normalise_text(email)
    local, at, domain = value.rpartition("@")
    local, domain = local.strip(), domain.strip()
    if not at or not local or not domain:
        return value
    domain = normalise_domain(domain)
    tagless = local.split(SUBADDRESS_DELIMITER, 1)[0]
    local = tagless or local
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", "") or local, DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def email_hasher(hash_key: str | bytes) -> Callable[[str], str | None]:
    """`email_hash` under one key, for many addresses (the keyed state is prepared once).

    >>> email_hasher("k")("A@x.org") == email_hash("a@x.org", "k")
    True
    """
    keyed = hmac.new(hash_key.encode() if isinstance(hash_key, str) else hash_key, digestmod=hashlib.sha256)

    def hash_one(email: str) -> str | None:
        normalised = normalise_email(email)
        if not normalised:
            return None
        digest = keyed.copy()
        digest.update(normalised.encode("utf-8"))
        return digest.hexdigest()

    return hash_one


def email_hash(email: str, hash_key: str | bytes) -> str | None:
    """HMAC-SHA256 (hex) of the normalised address under the provider's key; None when nothing is left.

    >>> email_hash("A@x.org", "k") == email_hash(" a@X.ORG.", b"k")
    True
    """
    return email_hasher(hash_key)(email)


def email_domain(email: str) -> str | None:
    """The normalised domain of an email address, or None when the text is not `local@domain`."""
    local, at, domain = normalise_text(email).rpartition("@")
    if not at or not local.strip():
        return None
    return normalise_domain(domain) or None


def looks_like_email(value: str) -> bool:
    """True when a value has the shape `local@domain` once normalised (used on kept extra columns).

    >>> looks_like_email(" Someone@Example.com "), looks_like_email("segment-a")
    (True, False)
    """
    return _ADDRESS_LIKE.fullmatch(normalise_text(value)) is not None
