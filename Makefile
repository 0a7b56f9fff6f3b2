# The two commands of the README: `make demarrer` and `make test`.
# Everything is installed in .venv from requirements.lock; nothing by hand.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe-$(shell sha1sum requirements.lock | cut -c1-12)
# Front-end components come from the npm registry (package-lock.json) and are
# served by the portal itself: no page asks a CDN for anything.
NODE_STAMP := node_modules/.installe-$(shell sha1sum package-lock.json | cut -c1-12)
DSFR_CHART := node_modules/@gouvfr/dsfr-chart

.PHONY: installer demarrer test lint lock bench mutation

installer: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	rm -f $(VENV)/.installe-* && touch $@

# DSFR Chart's map of the regions (web component with its geometry inlined),
# copied into static/vendor/ (gitignored) where collectstatic and whitenoise find it.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/dsfr-chart
	cp $(DSFR_CHART)/dist/MapChart/MapChart.js $(DSFR_CHART)/dist/MapChart/MapChart.css $(DSFR_CHART)/LICENSE \
	  static/vendor/dsfr-chart/
	rm -f node_modules/.installe-* && touch $@

## Starts the portal at http://127.0.0.1:8000/ (SQLite, Celery worker + beat on the filesystem broker).
demarrer: installer
	./scripts/demarrer.sh

## Runs the whole test suite (PostgreSQL and Redis where reachable).
test: installer
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmark (README, « Banc d'essai »): builds ti_bench_24 and ti_bench_10k in PostgreSQL, measures, prints the table.
bench: installer
	$(BIN)/python bench/construire.py --projets 24
	$(BIN)/python bench/construire.py --projets 10000
	$(BIN)/python bench/mesurer.py

## Mutation testing (README, « Tests de mutation ») of the modules that compute money and statuses, on PostgreSQL.
## Fails on a surviving mutant not listed in mutation/equivalents.toml. One module: make mutation MODULES=indicateurs/evaluation/regles.py
## Takes long: not part of .ci/run. nice -n 19 leaves the cores to whoever else works on the machine.
MODULES ?=
MUTATION_PROCESSUS ?= 2
mutation: installer
	nice -n 19 $(BIN)/python -m mutation.lancer $(MODULES) --processus $(MUTATION_PROCESSUS) $(if $(MUTATION_TESTS),--tests $(MUTATION_TESTS))

lint: installer
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Re-pins requirements.lock from pyproject.toml's ranges.
lock:
	rm -rf /tmp/ti-lock && $(PYTHON) -m venv /tmp/ti-lock
	/tmp/ti-lock/bin/pip install --quiet --upgrade pip
	/tmp/ti-lock/bin/pip install --quiet ".[dev]"
	/tmp/ti-lock/bin/pip freeze --exclude territoires-innovation > requirements.lock
