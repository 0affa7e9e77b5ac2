"""The loader: the provider's records (accounts, payment methods, ip_intel, the request log) into Neo4j.

    with connect(settings) as database:
        summary = load_directory(database, Path("data/"))

Validation and aggregation run in DuckDB (vectorised SQL); Neo4j receives one row per (account,
identifier) in ledgered `UNWIND $rows` batches, exactly once. See docs/input-format.md and
docs/data-model.md.
"""

from graph.load.batches import ProgressSink
from graph.load.inputs import TABLES, discover_inputs
from graph.load.pipeline import LoadSummary, TableSummary, load_directory

__all__ = ["TABLES", "LoadSummary", "ProgressSink", "TableSummary", "discover_inputs", "load_directory"]
