# Two commands a newcomer needs: `make demo` (the whole pipeline, then serve) and `make test` (lint + tests).
# Both create .venv and install the project on first use; the local Neo4j is assembled from Maven
# Central once (cached in ~/.m2 and .linkage/server).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install system-deps clean-neo4j bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/linkage demo

# Java, Maven and Chromium: installed when running as root with apt (as on CI), else a stop naming the one
# command to run. Every test runs; none is skipped for a missing tool.
system-deps:
	@bash .ci/system-deps

# The tests include the checks: lint first (ruff, mypy), then pytest (tests/ and the docstrings' examples, in
# a random order each run; `-p no:randomly` or `-p randomly --randomly-seed=N` to repeat one).
test: system-deps lint
	$(BIN)/python -m pytest

# The campaign benchmark at ACCOUNTS accounts (16 requests each): generate, bulk and transactional load, detect,
# eval, API; one Markdown table (bench/campaign.py; 1M accounts takes about an hour on 2 cores).
ACCOUNTS ?= 20000
bench: system-deps $(STAMP)
	$(BIN)/python bench/campaign.py --accounts $(ACCOUNTS) --markdown bench/campaign-$(ACCOUNTS).md

lint: $(STAMP)
	$(BIN)/ruff check app graph queries tests bench
	$(BIN)/mypy

clean-neo4j:
	-$(BIN)/linkage neo4j stop
	rm -rf .linkage/neo4j .linkage/test-neo4j-*
