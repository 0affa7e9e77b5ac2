"""One cluster for people and other tools: a self-contained HTML report (`linkage report`) and the cluster's
drawable sample as GraphML or GEXF (`linkage export graph`).

    sample.py     the bounded sample (members and the identifiers they share) read from the graph
    layout.py     node positions (a seeded force layout) and the sample as a networkx graph
    charts.py     SVG drawings: the sample's picture and the activity timeline against the population
    html.py       the report: verdict, score, evidence with its numbers, the two drawings, STIX id

Nothing in a report is fetched when it is opened: CSS and SVG are inline, there is no script.
"""

from app.report.html import build_report, render_report
from app.report.sample import GraphSample, read_sample

__all__ = ["GraphSample", "build_report", "read_sample", "render_report"]
