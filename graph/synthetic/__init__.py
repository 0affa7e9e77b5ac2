"""Synthetic data generator: a realistic API-abuse data set with distillation campaigns hidden among
legitimate customers and legitimate lookalikes.

See docs/synthetic-data.md. Entry point: `generate_dataset`; compositions: `Scenario` (scenario.py).
"""

from graph.synthetic.generate import generate_dataset
from graph.synthetic.scenario import SCENARIOS, Scenario, ScenarioError, resolve_scenario
from graph.synthetic.summary import GenerationSummary

__all__ = ["SCENARIOS", "GenerationSummary", "Scenario", "ScenarioError", "generate_dataset", "resolve_scenario"]
