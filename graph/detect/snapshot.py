"""Detection's input as Parquet: the aggregated edges, written once and read by either engine without Bolt.

`linkage detect --save-inputs DIR` writes what detection read from the graph; `linkage detect --inputs DIR`
detects from such a folder instead of reading the graph (the clusters are still written to Neo4j). The Spark
engine reads the same files (`graph/engine/detect.py`); a cluster job can read them from shared storage.

One folder holds:

    accounts.parquet          account_id, created_at (epoch s), requests, org (index, -1 none), in id order
    activity.parquet          account (index), bucket, count — the activity CSR, row by row
    edges_<kind>.parquet      account, ident (indices), requests, and the kind's per-edge attributes
    idents_<kind>.parquet     name, and the kind's per-identifier attributes, in index order
    input.json                format version, bucket minutes, kinds, counts (checked on read)

Indices are the positions detection uses, so a folder read back is the same input, array for array.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from graph.detect.inputs import INCIDENCE_SOURCES, DetectionInput, Incidence
from graph.errors import InputError

FORMAT = 1


def _column(values: np.ndarray) -> pa.Array:
    if values.dtype == object:
        return pa.array(values.tolist())
    return pa.array(values)


def write_inputs(data: DetectionInput, folder: Path) -> None:
    """Write `data` to `folder` (created; files of an earlier snapshot are replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    lengths = np.diff(data.activity_indptr)
    pq.write_table(pa.table({"account_id": pa.array(data.account_ids, pa.string()),
                             "created_at": data.created_at, "requests": data.requests, "org": data.org}),
                   folder / "accounts.parquet")
    pq.write_table(pa.table({"account": np.repeat(np.arange(data.n_accounts, dtype=np.int64), lengths),
                             "bucket": data.activity_bucket, "count": data.activity_count}),
                   folder / "activity.parquet")
    for kind, incidence in data.incidences.items():
        pq.write_table(pa.table({"account": incidence.account, "ident": incidence.ident,
                                 "requests": incidence.requests,
                                 **{name: _column(values) for name, values in incidence.edge_attrs.items()}}),
                       folder / f"edges_{kind}.parquet")
        pq.write_table(pa.table({"name": pa.array(incidence.names, pa.string()),
                                 **{name: _column(values) for name, values in incidence.ident_attrs.items()}}),
                       folder / f"idents_{kind}.parquet")
    meta = {"format": FORMAT, "bucket_minutes": data.bucket_minutes, "kinds": list(data.incidences),
            "accounts": data.n_accounts, "activity": int(data.activity_bucket.size),
            "edges": {kind: int(i.account.size) for kind, i in data.incidences.items()}}
    partial = folder / "input.json.part"
    partial.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(partial, folder / "input.json")  # written last: a folder without it is incomplete


def _array(table: pa.Table, name: str) -> np.ndarray:
    """A column as the array it was written from: numbers and booleans keep their type, text is an object array
    (None where missing)."""
    column = table.column(name)
    if pa.types.is_string(column.type) or pa.types.is_null(column.type):
        return np.asarray(column.to_pylist(), dtype=object)
    return np.asarray(column.to_numpy(zero_copy_only=False))


def read_inputs_parquet(folder: Path) -> DetectionInput:
    """The input written by `write_inputs`; InputError names what is missing or inconsistent."""
    meta_path = folder / "input.json"
    if not meta_path.exists():
        raise InputError("not a detection input folder (no input.json: written last, so an interrupted "
                         "--save-inputs leaves none)", path=str(folder))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise InputError(f"detection input format {meta.get('format')!r}, expected {FORMAT}", path=str(meta_path))
    unknown = [kind for kind in meta["kinds"] if kind not in INCIDENCE_SOURCES]
    if unknown:  # kinds name files here: never a path taken from the folder itself
        raise InputError(f"unknown identifier kinds {unknown!r}", path=str(meta_path), field="kinds")
    accounts = pq.read_table(folder / "accounts.parquet")
    activity = pq.read_table(folder / "activity.parquet")
    n = accounts.num_rows
    account_rows = _array(activity, "account")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(account_rows, minlength=n), out=indptr[1:])
    data = DetectionInput(
        account_ids=accounts.column("account_id").to_pylist(),
        created_at=_array(accounts, "created_at"), requests=_array(accounts, "requests"), org=_array(accounts, "org"),
        activity_indptr=indptr, activity_bucket=_array(activity, "bucket"), activity_count=_array(activity, "count"),
        incidences={}, bucket_minutes=int(meta["bucket_minutes"]))
    for kind in meta["kinds"]:
        edges = pq.read_table(folder / f"edges_{kind}.parquet")
        idents = pq.read_table(folder / f"idents_{kind}.parquet")
        data.incidences[kind] = Incidence(
            kind, _array(edges, "account"), _array(edges, "ident"), _array(edges, "requests"),
            idents.column("name").to_pylist(),
            ident_attrs={name: _array(idents, name) for name in idents.column_names if name != "name"},
            edge_attrs={name: _array(edges, name) for name in edges.column_names
                        if name not in ("account", "ident", "requests")})
        if data.incidences[kind].account.size != meta["edges"][kind]:
            raise InputError(f"edges_{kind}.parquet holds {data.incidences[kind].account.size} edges, input.json "
                             f"says {meta['edges'][kind]}", path=str(folder))
    if data.n_accounts != meta["accounts"] or data.activity_bucket.size != meta["activity"]:
        raise InputError("accounts or activity do not match input.json", path=str(folder))
    return data
