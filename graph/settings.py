"""Settings for every linkage process, read from the environment and an optional `.env` file.

The Neo4j connection uses the standard variables (`NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD`,
`NEO4J_DATABASE`); everything of linkage's own has the `LINKAGE_` prefix. The module sits at the bottom of
the layers (graph/), because the database access, the loader and the local server read it, and nothing in
graph/ depends on app/.

    >>> settings = Settings(_env_file=None, NEO4J_URI="bolt://127.0.0.1:7999")
    >>> settings.bolt_port, settings.is_local_server
    (7999, True)

`neo4j://`, `neo4j+s://` and `neo4j+ssc://` URIs (a cluster, Aura) work as `bolt://` ones do: the driver
routes reads to readers and writes to the writer. Only a plain URI on this machine is a local server:

    >>> Settings(_env_file=None, NEO4J_URI="neo4j+s://a1b2c3d4.databases.neo4j.io").is_local_server
    False
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, ByteSize, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Used only by a local development server; `LINKAGE_ENV=production` refuses it.
DEVELOPMENT_PASSWORD = "linkage-dev-password"  # noqa: S105 - documented development default
DEVELOPMENT_HASH_KEY = "linkage-dev-hash-key"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The unencrypted URI schemes: direct (`bolt`) and routing (`neo4j`, which a standalone server answers too).
PLAIN_SCHEMES = frozenset({"bolt", "neo4j"})


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """All configuration; construct once per process (CLI entry, API lifespan)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias=_env("LINKAGE_ENV")
    )
    neo4j_uri: str = Field("bolt://127.0.0.1:7687", validation_alias=_env("NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=_env("NEO4J_USER"))
    neo4j_password: SecretStr = Field(
        SecretStr(DEVELOPMENT_PASSWORD), validation_alias=_env("NEO4J_PASSWORD")
    )
    neo4j_database: str = Field("neo4j", validation_alias=_env("NEO4J_DATABASE"))

    # The local server (used when NEO4J_URI points at loopback and the server is managed here).
    neo4j_home: Path = Field(Path(".linkage/neo4j"), validation_alias=_env("LINKAGE_NEO4J_HOME"))
    neo4j_http_port: int = Field(7474, validation_alias=_env("LINKAGE_NEO4J_HTTP_PORT"))
    neo4j_server_dir: Path = Field(
        Path(".linkage/server"), validation_alias=_env("LINKAGE_NEO4J_SERVER_DIR")
    )
    neo4j_heap: str = Field("6g", validation_alias=_env("LINKAGE_NEO4J_HEAP"))
    neo4j_pagecache: str = Field("8g", validation_alias=_env("LINKAGE_NEO4J_PAGECACHE"))
    neo4j_tx_memory: str = Field("4g", validation_alias=_env("LINKAGE_NEO4J_TX_MEMORY"))
    # One transaction's share of it (`db.memory.transaction.max`): a runaway query fails alone, typed.
    neo4j_tx_max: str = Field("2g", validation_alias=_env("LINKAGE_NEO4J_TX_MAX"))
    neo4j_start_timeout_s: float = Field(180.0, validation_alias=_env("LINKAGE_NEO4J_START_TIMEOUT"))

    # Every query carries a timeout (seconds); bulk writes get the longer one.
    query_timeout_s: float = Field(60.0, validation_alias=_env("LINKAGE_QUERY_TIMEOUT"))
    write_timeout_s: float = Field(600.0, validation_alias=_env("LINKAGE_WRITE_TIMEOUT"))

    # Loading. Emails are stored only as HMAC-SHA256(LINKAGE_HASH_KEY, normalised email) plus the domain;
    # every provider (and every lab sharing indicators with it) keeps its own key.
    hash_key: SecretStr = Field(SecretStr(DEVELOPMENT_HASH_KEY), validation_alias=_env("LINKAGE_HASH_KEY"))
    activity_bucket_minutes: int = Field(10, ge=1, le=1440,
                                         validation_alias=_env("LINKAGE_ACTIVITY_BUCKET_MINUTES"))
    load_batch_size: int = Field(10_000, ge=1, le=200_000, validation_alias=_env("LINKAGE_LOAD_BATCH_SIZE"))
    # Extra input columns kept as node properties, as comma-separated `table.column` names.
    keep_columns: str = Field("", validation_alias=_env("LINKAGE_KEEP_COLUMNS"))
    # A compressed input file (gzip, Parquet) that would decompress to more is refused (decompression bombs).
    load_max_decompressed: ByteSize = Field(ByteSize(32 * 1024**3), gt=0,
                                            validation_alias=_env("LINKAGE_LOAD_MAX_DECOMPRESSED"))
    # First load into an empty local managed server: inputs at least this large go through
    # `neo4j-admin database import full` (bulk) instead of transactions; `linkage load --bulk` forces it.
    load_bulk_min_bytes: ByteSize = Field(ByteSize(32 * 1024**2), ge=0,
                                          validation_alias=_env("LINKAGE_LOAD_BULK_MIN_BYTES"))
    load_bulk_heap: str = Field("2g", pattern=r"^[0-9]+[kmg]?$", validation_alias=_env("LINKAGE_LOAD_BULK_HEAP"))
    load_bulk_off_heap: str = Field("3g", pattern=r"^[0-9]+[kmg]?$",
                                    validation_alias=_env("LINKAGE_LOAD_BULK_OFF_HEAP"))

    # The API.
    api_host: str = Field("127.0.0.1", validation_alias=_env("LINKAGE_API_HOST"))
    api_port: int = Field(8000, validation_alias=_env("LINKAGE_API_PORT"))
    api_bootstrap_key: SecretStr | None = Field(None, validation_alias=_env("LINKAGE_API_BOOTSTRAP_KEY"))
    api_max_depth: int = Field(10, validation_alias=_env("LINKAGE_API_MAX_DEPTH"))
    api_max_aliases: int = Field(15, validation_alias=_env("LINKAGE_API_MAX_ALIASES"))
    api_max_tokens: int = Field(2000, validation_alias=_env("LINKAGE_API_MAX_TOKENS"))
    api_page_cap: int = Field(100, validation_alias=_env("LINKAGE_API_PAGE_CAP"))
    # What one request may cost (docs/api.md, "Limits"): objects it may return, queries it may run, seconds
    # it may take, bytes it may send; and how often one key may call.
    api_max_cost: int = Field(50_000, ge=1, validation_alias=_env("LINKAGE_API_MAX_COST"))
    api_max_queries: int = Field(50, ge=1, validation_alias=_env("LINKAGE_API_MAX_QUERIES"))
    api_deadline_s: float = Field(10.0, gt=0, validation_alias=_env("LINKAGE_API_DEADLINE"))
    api_max_body_bytes: int = Field(65_536, ge=1024, validation_alias=_env("LINKAGE_API_MAX_BODY_BYTES"))
    api_rate_per_s: float = Field(50.0, gt=0, validation_alias=_env("LINKAGE_API_RATE_LIMIT"))
    api_rate_burst: int = Field(100, ge=1, validation_alias=_env("LINKAGE_API_RATE_BURST"))
    # Connections: queries share one pool; key lookups have their own, so they are never starved.
    api_pool_size: int = Field(32, ge=1, validation_alias=_env("LINKAGE_API_POOL_SIZE"))
    api_auth_pool_size: int = Field(4, ge=1, validation_alias=_env("LINKAGE_API_AUTH_POOL_SIZE"))
    # How long a verified (or unknown) key is remembered: a revocation takes effect within this time.
    api_auth_cache_s: float = Field(5.0, ge=0, le=300, validation_alias=_env("LINKAGE_API_AUTH_CACHE_SECONDS"))
    # The role that may dismiss a cluster or withdraw a confirmation (either weakens automated checks).
    api_dismiss_role: Literal["analyst", "admin"] = Field("admin", validation_alias=_env("LINKAGE_API_DISMISS_ROLE"))
    audit_log: Path = Field(Path(".linkage/audit.jsonl"), validation_alias=_env("LINKAGE_AUDIT_LOG"))

    # Engine of the request-log aggregation and of detection's distributed parts (graph/engine): the embedded one
    # (DuckDB + numpy, the default) or Apache Spark (`pip install 'linkage[spark]'`). `spark_master` is a master URL
    # (local[N], spark://…, yarn, k8s://…) or a Spark Connect address (sc://…).
    engine: Literal["duckdb", "spark"] = Field("duckdb", validation_alias=_env("LINKAGE_ENGINE"))
    spark_master: str = Field("local[*]", validation_alias=_env("LINKAGE_SPARK_MASTER"))
    spark_driver_memory: str = Field("4g", pattern=r"^[0-9]+[kmgt]?$",
                                     validation_alias=_env("LINKAGE_SPARK_DRIVER_MEMORY"))
    # Where the Spark engine keeps its Parquet (aggregates handed to the writer, detection's input snapshot).
    spark_work_dir: Path = Field(Path(".linkage/spark"), validation_alias=_env("LINKAGE_SPARK_WORK_DIR"))
    # The Neo4j Connector for Apache Spark (a Maven coordinate; graph/engine/connector.py fetches its jar).
    spark_neo4j_connector: str = Field("org.neo4j:neo4j-connector-apache-spark_2.12:5.0.3_for_spark_3",
                                       pattern=r"^$|^[\w.-]+:[\w.-]+:[\w.-]+$",
                                       validation_alias=_env("LINKAGE_SPARK_NEO4J_CONNECTOR"))

    # Detection: rows per write transaction of a run's results (they stay invisible until the run switches).
    detect_batch_size: int = Field(5_000, ge=1, le=200_000, validation_alias=_env("LINKAGE_DETECT_BATCH_SIZE"))

    # Alerts: an optional webhook called after a detection run switched, for clusters that became
    # suspicious or grew by at least `alert_growth_share` (0.5 = +50 %); bodies are HMAC-SHA256 signed.
    alert_webhook_url: str | None = Field(None, validation_alias=_env("LINKAGE_ALERT_WEBHOOK_URL"))
    alert_webhook_secret: SecretStr | None = Field(None, validation_alias=_env("LINKAGE_ALERT_WEBHOOK_SECRET"))
    alert_growth_share: float = Field(0.5, gt=0, validation_alias=_env("LINKAGE_ALERT_GROWTH_SHARE"))
    alert_max_attempts: int = Field(5, ge=1, le=20, validation_alias=_env("LINKAGE_ALERT_MAX_ATTEMPTS"))
    alert_backoff_s: float = Field(1.0, ge=0, validation_alias=_env("LINKAGE_ALERT_BACKOFF"))
    alert_timeout_s: float = Field(10.0, gt=0, validation_alias=_env("LINKAGE_ALERT_TIMEOUT"))
    alert_log: Path = Field(Path(".linkage/alert-deliveries.jsonl"), validation_alias=_env("LINKAGE_ALERT_LOG"))

    @property
    def kept_columns(self) -> dict[str, list[str]]:
        """LINKAGE_KEEP_COLUMNS parsed: table -> extra columns to keep."""
        kept: dict[str, list[str]] = {}
        for item in filter(None, (part.strip() for part in self.keep_columns.split(","))):
            table, _, column = item.partition(".")
            kept.setdefault(table, []).append(column)
        return kept

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.env == "production" and (
            self.neo4j_password.get_secret_value() == DEVELOPMENT_PASSWORD
        ):
            raise ValueError(
                "NEO4J_PASSWORD is the development default; set a real password for LINKAGE_ENV=production"
            )
        if self.env == "production" and self.hash_key.get_secret_value() == DEVELOPMENT_HASH_KEY:
            raise ValueError(
                "LINKAGE_HASH_KEY is the development default; set a secret key for LINKAGE_ENV=production"
            )
        if self.alert_webhook_url and not (self.alert_webhook_secret and
                                           self.alert_webhook_secret.get_secret_value()):
            raise ValueError("LINKAGE_ALERT_WEBHOOK_URL needs LINKAGE_ALERT_WEBHOOK_SECRET (alerts are signed)")
        if self.alert_webhook_url and urlsplit(self.alert_webhook_url).scheme not in ("http", "https"):
            raise ValueError("LINKAGE_ALERT_WEBHOOK_URL must be an http(s) URL")
        if len(self.neo4j_password.get_secret_value()) < 8:
            raise ValueError("NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)")
        return self

    @property
    def _uri_parts(self) -> tuple[str, str, int]:
        # Not cached: `model_copy(update={"neo4j_uri": ...})` would carry the old URI's cached parts over.
        parts = urlsplit(self.neo4j_uri)
        return parts.scheme, parts.hostname or "", parts.port or 7687

    @property
    def bolt_port(self) -> int:
        """The Bolt port, taken from NEO4J_URI."""
        return self._uri_parts[2]

    @property
    def is_local_server(self) -> bool:
        """True when NEO4J_URI points at this machine over plain Bolt, so `linkage neo4j` may manage it and
        bulk import may use it. The managed server has TLS off, so an encrypted URI (`neo4j+s://`,
        `bolt+ssc://`) is never it, even on loopback (a tunnel to a remote server)."""
        scheme, host, _ = self._uri_parts
        return scheme in PLAIN_SCHEMES and host in LOOPBACK_HOSTS

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.neo4j_http_port}/browser/"


def load_settings() -> Settings:
    """Read settings from the environment (and `.env`)."""
    return Settings()
