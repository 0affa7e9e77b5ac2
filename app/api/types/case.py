"""Results of the case mutations."""

from __future__ import annotations

import strawberry

from app.api.types.cluster import CaseNote, Cluster


@strawberry.type(description="A recorded case change: the note written and the cluster after it.")
class CaseChange:
    note: CaseNote
    cluster: Cluster


@strawberry.type(description="The case fields an update changed (one history entry each) and the cluster after "
                             "it; no entries when every value given was already set.")
class CaseUpdate:
    changes: list[CaseNote]
    cluster: Cluster
