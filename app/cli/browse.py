"""`linkage browse`: a Neo4j Browser link with a query from `queries/browse_*.cypher` already in the editor.

    linkage browse                          # the top clusters
    linkage browse cl_a69d20a055df          # one cluster (same as --cluster)
    linkage browse --cluster cl_a69d20a055df --timeline
    linkage browse --account acct_01e182619c4c [--lockstep | --to acct_f37c40fdab7d]
    linkage browse --ip 185.220.10.7 | --proxy-network relaymesh | --payment-method pm_… | --template tpl_…

It prints `http://127.0.0.1:<http port>/browser/?cmd=edit&arg=<query>` (`--open` also opens it). Browser
puts the text in its editor and runs nothing until the analyst presses Run.

A URL cannot carry `:param` values, so each `$param` is replaced by a Cypher string literal. Why that is
safe: the value must first match a strict pattern for its kind (letters, digits and `_ . : @ + = / -`; IP
addresses are parsed and rewritten in canonical form), so it cannot contain a quote, a backslash, a newline
or anything else that could end the literal; the literal is escaped anyway (backslash, then quote) as a
second line of defence; only `$name` tokens outside strings and comments are replaced; and the result only
fills the editor of the analyst's own, authenticated Browser session — it can do nothing they could not
type. Browser's URL parser ends a value at `&` or `#`, so a text containing either is refused.
"""

from __future__ import annotations

import re
import webbrowser
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

import typer

from app.cli.common import load_settings_or_exit, reports_errors
from graph.errors import InputError
from graph.load.addresses import parse_address
from graph.queries import Query, get_query
from graph.settings import Settings

# Identifiers as the loader and detection write them: cl_…, acct_…, pm_…, tpl_…, cfp_… and the like.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@+=/-]{0,199}")
# Proxy-network names come from threat-intelligence feeds and may contain spaces.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.:@+=/-]{0,199}")
# A string literal, a comment or a $parameter: only the last is replaced.
_TOKEN = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|\$([A-Za-z_][A-Za-z0-9_]*)")


def cypher_string_literal(value: str) -> str:
    """`value` as a single-quoted Cypher string literal.

    >>> cypher_string_literal("it's")
    "'it\\\\'s'"
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def inline_params(query: Query, values: Mapping[str, str | int]) -> str:
    """The query's text with every `$param` (outside strings and comments) replaced by its value.

    Strings become escaped string literals, integers their decimal form; every declared parameter must be
    given and nothing else.
    """
    if set(values) != set(query.params):
        raise InputError(f"{query.name} takes {sorted(query.params)}, not {sorted(values)}")

    def literal(value: str | int) -> str:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InputError(f"cannot inline {type(value).__name__} values")
        return str(value) if isinstance(value, int) else cypher_string_literal(value)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name is None else literal(values[name])

    return _TOKEN.sub(replace, query.text)


def browser_url(settings: Settings, text: str) -> str:
    """The local Neo4j Browser URL that opens with `text` in its editor (`cmd=edit`)."""
    if "&" in text or "#" in text:
        # Browser decodes the whole URL, then reads `arg` up to the next '&' or '#'.
        raise InputError("a query containing '&' or '#' cannot travel in a Browser URL")
    return f"{settings.browser_url}?cmd=edit&arg={quote(text, safe='')}"


def validate_identifier(value: str, what: str, pattern: re.Pattern[str] = IDENTIFIER) -> str:
    """`value` unchanged when it is a plausible identifier of kind `what`, else an InputError."""
    if not pattern.fullmatch(value):
        raise InputError(f"not a valid {what}: {value!r} (allowed: letters, digits and _ . : @ + = / -)")
    return value


def validate_address(value: str) -> str:
    """An IP address in the canonical form the graph stores (`::ffff:…` and zero-padded forms rewritten)."""
    parsed = parse_address(value)
    if parsed is None:
        raise InputError(f"not an IP address: {value!r}")
    return parsed[0]


@dataclass(frozen=True)
class BrowseRequest:
    """Which browse query to open and its parameter values."""

    query_name: str
    values: dict[str, str | int]


def choose_query(
    *, cluster: str | None = None, account: str | None = None, other_account: str | None = None,
    ip: str | None = None, proxy_network: str | None = None, payment_method: str | None = None,
    template: str | None = None, timeline: bool = False, lockstep: bool = False, bucket_minutes: int = 10,
) -> BrowseRequest:
    """The browse query for the given subject (at most one), with validated parameter values."""
    subjects = {"--cluster": cluster, "--account": account, "--ip": ip, "--proxy-network": proxy_network,
                "--payment-method": payment_method, "--template": template}
    given = [option for option, value in subjects.items() if value is not None]
    if len(given) > 1:
        raise InputError(f"give one subject, not {' and '.join(given)}")
    if timeline and cluster is None:
        raise InputError("--timeline needs a cluster")
    if (lockstep or other_account is not None) and account is None:
        raise InputError("--lockstep and --to need --account")
    if lockstep and other_account is not None:
        raise InputError("give --lockstep or --to, not both")
    if cluster is not None:
        cluster_id = validate_identifier(cluster, "cluster id")
        if timeline:
            return BrowseRequest("browse_cluster_timeline",
                                 {"cluster_id": cluster_id, "bucket_minutes": bucket_minutes})
        return BrowseRequest("browse_cluster", {"cluster_id": cluster_id})
    if account is not None:
        account_id = validate_identifier(account, "account id")
        if other_account is not None:
            return BrowseRequest("browse_account_path", {
                "account_id": account_id,
                "other_account_id": validate_identifier(other_account, "account id")})
        if lockstep:
            return BrowseRequest("browse_account_lockstep", {"account_id": account_id})
        return BrowseRequest("browse_account", {"account_id": account_id})
    if ip is not None:
        return BrowseRequest("browse_ip", {"address": validate_address(ip)})
    if proxy_network is not None:
        return BrowseRequest("browse_proxy_network",
                             {"name": validate_identifier(proxy_network, "proxy network name", NAME)})
    if payment_method is not None:
        return BrowseRequest("browse_payment_method",
                             {"fingerprint": validate_identifier(payment_method, "payment fingerprint")})
    if template is not None:
        return BrowseRequest("browse_template", {"template_id": validate_identifier(template, "template id")})
    return BrowseRequest("browse_top_clusters", {})


def editor_text(request: BrowseRequest) -> str:
    """What Browser's editor shows: a comment naming the query (Browser's frame title), then the query."""
    query = get_query(request.query_name)
    return f"// {query.name}\n{inline_params(query, request.values)}"


@reports_errors
def browse(
    cluster_id: Annotated[str | None, typer.Argument(help="A cluster id (same as --cluster).")] = None,
    cluster: Annotated[str | None, typer.Option("--cluster", help="One cluster and its shared "
                                                "infrastructure (a sample of ≤ 50 members).")] = None,
    account: Annotated[str | None, typer.Option("--account", help="One account and its links.")] = None,
    other_account: Annotated[str | None, typer.Option(
        "--to", help="With --account: the shortest paths to this account.")] = None,
    ip: Annotated[str | None, typer.Option("--ip", help="Everything behind an IP address.")] = None,
    proxy_network: Annotated[str | None, typer.Option("--proxy-network",
                                                      help="Everything behind a proxy network.")] = None,
    payment_method: Annotated[str | None, typer.Option(
        "--payment-method", help="Everything behind a payment fingerprint.")] = None,
    template: Annotated[str | None, typer.Option("--template",
                                                 help="Everything behind a prompt template.")] = None,
    timeline: Annotated[bool, typer.Option("--timeline", help="With a cluster: its activity over time.")]
    = False,
    lockstep: Annotated[bool, typer.Option("--lockstep", help="With --account: accounts active in "
                                                              "lockstep with it.")] = False,
    open_browser: Annotated[bool, typer.Option("--open", help="Also open the URL in a web browser.")] = False,
    show_query: Annotated[bool, typer.Option("--show-query", help="Also print the query text.")] = False,
) -> None:
    """Print the Neo4j Browser URL with a browse query ready in the editor (no subject: the top clusters)."""
    if cluster_id is not None and cluster is not None and cluster_id != cluster:
        raise InputError("give the cluster id once (argument or --cluster)")
    settings = load_settings_or_exit()
    request = choose_query(
        cluster=cluster or cluster_id, account=account, other_account=other_account, ip=ip,
        proxy_network=proxy_network, payment_method=payment_method, template=template, timeline=timeline,
        lockstep=lockstep, bucket_minutes=settings.activity_bucket_minutes,
    )
    text = editor_text(request)
    url = browser_url(settings, text)
    if show_query:
        typer.echo(text)
    typer.echo(url)  # not rich: it would wrap a long URL
    if open_browser and not webbrowser.open(url):
        raise InputError("no web browser could be started here; open the URL above yourself")
