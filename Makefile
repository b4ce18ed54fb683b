# Kengele: `make run` (the whole platform on a laptop) and `make test` (every check CI runs).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PASSWORD ?= kengele-demo

.PHONY: install run test test-fast bench lint format messages clean backup restore

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: export DEBUG ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Demo logins (password: $(DEMO_PASSWORD)): admin, supervisor, analyst, cla, viewer"
	@echo "Open http://127.0.0.1:8000/dashboard/ (admin site: http://127.0.0.1:8000/admin/)"
	exec $(PY) -m config.devstack

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

# Skip the slow drills (real worker kills, browser) while iterating.
test-fast: install
	$(PY) -m pytest -m 'not slow' $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

# The database, voice recordings and spool in one archive under BACKUP_DIR (var/backups/).
backup: install
	$(PY) manage.py backup

# make restore BACKUP=var/backups/kengele-….tar CONFIRM=yes (stop web, worker and beat first).
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=path/to/kengele-….tar CONFIRM=yes"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(filter yes,$(CONFIRM)),--confirm)

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

messages: install
	$(PY) manage.py makemessages -l fr --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv'

clean:
	rm -rf var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
