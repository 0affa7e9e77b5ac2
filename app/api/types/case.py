"""Results of the case mutations."""

from __future__ import annotations

import strawberry

from app.api.types.cluster import CaseNote, Cluster


@strawberry.type(description="A recorded case change: the note written and the cluster after it.")
class CaseChange:
    note: CaseNote
    cluster: Cluster
