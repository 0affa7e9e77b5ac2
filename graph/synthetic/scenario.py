"""Scenarios: which legitimate lookalikes (traps) and which campaign shapes a generated world contains.

The classic background (individuals, families, companies, universities, carriers, cloud developers, the
evaluation customer) is always there. On top of it a scenario names

- `traps`: legitimate lookalike populations (config.TRAPS), each its own `population` in labels.csv;
- `campaigns`: distillation campaigns (config.CAMPAIGNS), each its own `campaign` in labels.csv;
- `scale`: optional size factors per trap or campaign (1.0 = the default size for N accounts).

Two scenarios are built in: `classic` (the three original campaigns and nothing else: byte-identical to
the generator before scenarios existed, so earlier benchmarks stay comparable) and `full` (classic plus
every trap and every campaign shape; the default). A TOML file describes any other composition:

    base = "full"                         # optional: start from a named scenario
    traps = ["platform_billing", "scheduled_jobs"]
    campaigns = ["campaign-1", "relay-farm"]

    [scale]
    platform_billing = 2.0                # twice the default size
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph.synthetic.config import CAMPAIGNS, CLASSIC_CAMPAIGNS, TRAPS

ALL_CAMPAIGNS: tuple[str, ...] = CAMPAIGNS[1:]
DEFAULT_SCENARIO = "full"


class ScenarioError(ValueError):
    """A scenario that names unknown components, is malformed, or does not fit the world's size."""


@dataclass(frozen=True)
class Scenario:
    """The composition of a generated world (see the module docstring)."""

    name: str
    traps: tuple[str, ...]
    campaigns: tuple[str, ...]
    scale: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_names("trap", self.traps, TRAPS)
        _check_names("campaign", self.campaigns, ALL_CAMPAIGNS)
        _check_names("scale entry", tuple(self.scale), TRAPS + ALL_CAMPAIGNS)
        for name, factor in self.scale.items():
            if not 0.0 < float(factor) <= 100.0:
                raise ScenarioError(f"scale of {name!r} must be in (0, 100], got {factor}")
        # Canonical order (the registry's), so that the same composition always builds the same world.
        object.__setattr__(self, "traps", tuple(t for t in TRAPS if t in self.traps))
        object.__setattr__(self, "campaigns", tuple(c for c in ALL_CAMPAIGNS if c in self.campaigns))
        object.__setattr__(self, "scale", {k: float(v) for k, v in sorted(self.scale.items())})

    def factor(self, component: str) -> float:
        """Size factor of a trap or campaign (1.0 unless scaled)."""
        return float(self.scale.get(component, 1.0))

    @property
    def extended(self) -> bool:
        """Whether anything beyond the classic world is asked for (new pools, templates, populations)."""
        return bool(self.traps) or any(c not in CLASSIC_CAMPAIGNS for c in self.campaigns)

    def describe(self) -> str:
        """One line naming the composition."""
        traps = ", ".join(self.traps) or "none"
        campaigns = ", ".join(self.campaigns) or "none"
        scaled = "".join(f", {k}×{v:g}" for k, v in self.scale.items())
        return f"scenario {self.name}: traps {traps}; campaigns {campaigns}{scaled}"


def resolve_scenario(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    traps: Iterable[str] | None = None,
    campaigns: Iterable[str] | None = None,
) -> Scenario:
    """A scenario from a name (`classic`, `full`), a TOML file or a Scenario, with optional overrides of
    its trap and campaign lists (`["all"]` and `["none"]` are accepted)."""
    if isinstance(scenario, Scenario):
        base = scenario
    elif isinstance(scenario, str) and scenario in SCENARIOS:
        base = SCENARIOS[scenario]
    elif Path(scenario).suffix == ".toml" or Path(scenario).is_file():
        base = load_scenario_file(Path(scenario))
    else:
        raise ScenarioError(
            f"unknown scenario {str(scenario)!r}; expected one of {', '.join(SCENARIOS)} or a .toml file"
        )
    if traps is None and campaigns is None:
        return base
    return Scenario(
        name=f"{base.name}+custom",
        traps=base.traps if traps is None else _expand(traps, TRAPS),
        campaigns=base.campaigns if campaigns is None else _expand(campaigns, ALL_CAMPAIGNS),
        scale=base.scale,
    )


def load_scenario_file(path: Path) -> Scenario:
    """Read a scenario from TOML (keys: base, traps, campaigns, [scale]); errors name the file."""
    try:
        with path.open("rb") as handle:
            doc = tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: scenario file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML ({error})") from None
    unknown = set(doc) - {"base", "traps", "campaigns", "scale"}
    if unknown:
        raise ScenarioError(f"{path}: unknown keys {', '.join(sorted(unknown))} (use base, traps, campaigns, scale)")
    base_name = doc.get("base", "classic")
    if base_name not in SCENARIOS:
        raise ScenarioError(f"{path}: unknown base scenario {base_name!r}")
    base = SCENARIOS[base_name]
    for key in ("traps", "campaigns"):
        if key in doc and not (isinstance(doc[key], list) and all(isinstance(v, str) for v in doc[key])):
            raise ScenarioError(f"{path}: {key} must be a list of names")
    scale = doc.get("scale", {})
    if not isinstance(scale, dict) or not all(isinstance(v, int | float) for v in scale.values()):
        raise ScenarioError(f"{path}: [scale] must map names to numbers")
    try:
        return Scenario(
            name=path.stem,
            traps=_expand(doc["traps"], TRAPS) if "traps" in doc else base.traps,
            campaigns=_expand(doc["campaigns"], ALL_CAMPAIGNS) if "campaigns" in doc else base.campaigns,
            scale={**base.scale, **scale},
        )
    except ScenarioError as error:
        raise ScenarioError(f"{path}: {error}") from None


def _expand(names: Iterable[str], known: tuple[str, ...]) -> tuple[str, ...]:
    listed = tuple(n.strip() for n in names if n.strip())
    if listed == ("all",):
        return known
    if listed in {("none",), ()}:
        return ()
    return listed


def _check_names(kind: str, names: tuple[str, ...], known: tuple[str, ...]) -> None:
    for name in names:
        if name not in known:
            raise ScenarioError(f"unknown {kind} {name!r}; expected one of {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ScenarioError(f"{kind}s listed twice: {', '.join(sorted(n for n in names if names.count(n) > 1))}")


SCENARIOS: dict[str, Scenario] = {
    "classic": Scenario("classic", (), CLASSIC_CAMPAIGNS),
    "full": Scenario("full", TRAPS, ALL_CAMPAIGNS),
}
