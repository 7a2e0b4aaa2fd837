# Two commands on a fresh machine: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := tracker

.PHONY: run test install system db browser lint bench serve clean axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | system $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

run: db
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Debian packages: Pango and fonts for the PDF summary (WeasyPrint), poppler-utils (pdftoppm)
# for the PDF tests, Chromium for the browser tests. Installed with apt-get when missing.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Please install the Debian packages: $$missing"; exit 1; fi; fi

# Debian's Chromium for the browser tests; without root or apt the tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium is not installed and cannot be installed here: browser tests will skip"; fi; }

lint: install
	$(BIN)/ruff check .

# tracker/rules/ must stay fully covered, lines and branches.
RULES_COVERAGE := --cov=tracker/rules --cov-branch --cov-report=term-missing:skip-covered \
                  --cov-fail-under=100

# axe-core (npm) for the accessibility checks of the browser tests; pinned in package-lock.json.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; \
	  else echo "Please install nodejs and npm (for axe-core)"; exit 1; fi; }
	npm install --no-audit --no-fund
	touch $@

axe: $(AXE)

test: install browser lint axe
	$(BIN)/pytest $(RULES_COVERAGE)

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts node_modules

# Benchmarks (see README): set BENCH_DATABASE_URL to a scratch PostgreSQL database to include it.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# Production serving: gunicorn with WORKERS processes; set DATABASE_URL, SECRET_KEY and
# FLASK_CONFIG=production in the environment (see README, Deployment).
WORKERS ?= 4
serve: install
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn --workers $(WORKERS) --bind $${BIND:-127.0.0.1:8000} --access-logfile - 'tracker:create_app()'
