"""Synthetic data generator: a realistic API-abuse data set with three hidden distillation campaigns.

See docs/synthetic-data.md. Entry point: `generate_dataset`.
"""

from graph.synthetic.generate import generate_dataset
from graph.synthetic.summary import GenerationSummary

__all__ = ["GenerationSummary", "generate_dataset"]
