"""What changed between two detection runs: new, grown, shrunk, merged, split and retired clusters.

Everything follows from the membership overlap of consecutive runs, with the same ids `persist.assign_ids`
gives (a cluster keeps the id of the previous cluster it overlaps with Jaccard ≥ 0.5, each id once):

* an old cluster **flows into** a new one when at least half of its members are in it; a new cluster
  **comes from** an old one when at least half of its own members were in it (a kept id implies both);
* **merged**: a new cluster into which two or more old clusters flowed (it may keep one of their ids);
* **split**: an old cluster from which two or more new clusters came; each of those is reported as split,
  with the old id (one of them may keep it);
* **grown** / **shrunk** / **unchanged**: a new cluster that kept an old id and is neither, by size;
* **new**: a new cluster with a new id that is neither (`related` names an old cluster that flowed into
  it — a cluster that more than doubled gets a new id, since most of its members were never judged);
* an old id that is gone ends as **merged** (into `related`), **split** (into `related`) or **retired**.

    >>> previous = {"a": "cl_1", "b": "cl_1", "c": "cl_1", "d": "cl_2", "e": "cl_2", "x": "cl_3", "y": "cl_3"}
    >>> found = [("cl_1", ["a", "b", "c", "d", "e"]), ("cl_new", ["p", "q"])]
    >>> [(c.cluster_id, c.change, c.related) for c in classify_changes(found, previous)]
    [('cl_1', 'merged', ['cl_2']), ('cl_new', 'new', []), ('cl_2', 'merged', ['cl_1']), ('cl_3', 'retired', [])]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

FOUND_CHANGES = ("new", "grown", "shrunk", "unchanged", "merged", "split")
ENDED_CHANGES = ("merged", "split", "retired")
SUMMARY_KINDS = ("new", "grown", "shrunk", "merged", "split", "retired", "unchanged")


@dataclass(frozen=True)
class PreviousCluster:
    """A live cluster as the run in force left it."""

    cluster_id: str
    size: int | None = None
    score: float | None = None
    verdict: str | None = None
    case_status: str | None = None


@dataclass
class ClusterChange:
    """One cluster's change from the run before: a cluster this run found (`found`) or an old one that
    ended. `related` holds the other side: the clusters merged in, the cluster split from, where an ended
    cluster went."""

    cluster_id: str
    change: str
    found: bool
    size: int
    previous_size: int | None = None
    score: float | None = None
    previous_score: float | None = None
    verdict: str | None = None
    previous_verdict: str | None = None
    related: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def classify_changes(found: Sequence[tuple[str, Sequence[str]]], previous: Mapping[str, str],
                     previous_clusters: Mapping[str, PreviousCluster] | None = None) -> list[ClusterChange]:
    """Changes for `found` (cluster id, member ids) against the previous run's membership (account → old
    cluster id): one entry per found cluster, in the given order, then one per old cluster that ended.
    `previous_clusters` adds scores, verdicts and the sizes the previous run recorded (also of clusters
    whose accounts have all been deleted since).

    >>> previous = {m: "cl_big" for m in "abcdef"}
    >>> changes = classify_changes([("cl_big", list("abc")), ("cl_x", list("def"))], previous)
    >>> [(c.cluster_id, c.change, c.related, c.size, c.previous_size) for c in changes]
    [('cl_big', 'split', ['cl_big'], 3, 6), ('cl_x', 'split', ['cl_big'], 3, None)]
    >>> grown = classify_changes([("cl_1", list("abcd"))], {"a": "cl_1", "b": "cl_1", "c": "cl_1"})
    >>> grown[0].change, grown[0].previous_size
    ('grown', 3)
    >>> doubled = classify_changes([("cl_n", list("abcdefg"))], {"a": "cl_1", "b": "cl_1", "c": "cl_1"})
    >>> [(c.cluster_id, c.change, c.related) for c in doubled]
    [('cl_n', 'new', ['cl_1']), ('cl_1', 'retired', ['cl_n'])]
    """
    details = previous_clusters or {}
    old_members: dict[str, int] = Counter(previous.values())
    recorded = {cluster_id: before.size for cluster_id, before in details.items() if before.size}
    found_ids = {cluster_id for cluster_id, _ in found}
    overlaps: list[Counter[str]] = [Counter(previous[m] for m in members if m in previous) for _, members in found]
    # Lineage: old → new where at least half of the old cluster went into the new one ("flows into"), and
    # new ← old where at least half of the new one came from the old one ("comes from").
    flowed_into: dict[str, list[str]] = defaultdict(list)
    came_from: dict[str, list[str]] = defaultdict(list)
    for (new_id, members), overlap in zip(found, overlaps, strict=True):
        for old_id, shared in sorted(overlap.items()):
            if 2 * shared >= old_members[old_id]:
                flowed_into[old_id].append(new_id)
            if 2 * shared >= len(members):
                came_from[new_id].append(old_id)
    parents = {new_id: [o for o, targets in flowed_into.items() if new_id in targets] for new_id in found_ids}
    children: dict[str, list[str]] = defaultdict(list)
    for new_id, sources in came_from.items():
        for old_id in sources:
            children[old_id].append(new_id)
    split_old = {old_id for old_id, kids in children.items() if len(kids) >= 2}

    changes: list[ClusterChange] = []
    for new_id, members in found:
        before = details.get(new_id)
        previous_size = recorded.get(new_id) or old_members.get(new_id) or None
        mine = sorted(parents.get(new_id, []))
        split_from = sorted(o for o in came_from.get(new_id, []) if o in split_old)
        if len(mine) >= 2:
            change, related = "merged", [o for o in mine if o != new_id]
        elif split_from:
            change, related = "split", split_from
        elif previous_size is not None:
            size = len(members)
            change = "grown" if size > previous_size else "shrunk" if size < previous_size else "unchanged"
            related = []
        else:
            change, related = "new", [o for o in mine if o not in found_ids]
        changes.append(ClusterChange(
            cluster_id=new_id, change=change, found=True, size=len(members), previous_size=previous_size,
            previous_score=before.score if before and previous_size else None,
            previous_verdict=before.verdict if before and previous_size else None, related=related))
    for old_id in sorted(set(old_members) | set(recorded)):
        if old_id in found_ids:
            continue
        before = details.get(old_id)
        targets = sorted(flowed_into.get(old_id, []))
        merged_into = [t for t in targets if len(parents.get(t, [])) >= 2]
        if merged_into:
            change, related = "merged", merged_into
        elif old_id in split_old:
            change, related = "split", sorted(children[old_id])
        else:
            change, related = "retired", targets
        changes.append(ClusterChange(
            cluster_id=old_id, change=change, found=False, size=0,
            previous_size=recorded.get(old_id) or old_members.get(old_id),
            previous_score=before.score if before else None,
            previous_verdict=before.verdict if before else None, related=related))
    return changes


def count_changes(changes: Sequence[ClusterChange]) -> dict[str, int]:
    """How many clusters are new, grown, shrunk, merged (merge results), split (old clusters that split),
    retired (gone without a successor) and unchanged.

    >>> count_changes(classify_changes([("a1", ["a"]), ("b1", ["b"])], {"a": "old", "b": "old"}))
    {'new': 0, 'grown': 0, 'shrunk': 0, 'merged': 0, 'split': 1, 'retired': 0, 'unchanged': 0}
    """
    counts = dict.fromkeys(SUMMARY_KINDS, 0)
    split_sources: set[str] = set()
    for change in changes:
        if change.found and change.change == "split":
            split_sources.update(change.related)
        elif change.found or change.change == "retired":
            counts[change.change] += 1
    counts["split"] = len(split_sources)
    return counts
