# Kengele: `make run` (the whole platform on a laptop) and `make test` (every check CI runs).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PASSWORD ?= kengele-demo
# `make run PORT=8001` (or KENGELE_ADDR=host:port) serves on another port.
PORT ?= 8000
SMS_FROM ?= $(or $(FROM),+243991234567)

.PHONY: install run sms test test-fast bench lint format messages clean backup restore

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: export DEBUG ?= true
run: export KENGELE_ADDR ?= 127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Demo logins (password: $(DEMO_PASSWORD)): admin, supervisor, analyst, cla, viewer"
	@echo "Open http://$(KENGELE_ADDR)/dashboard/ (admin site: http://$(KENGELE_ADDR)/admin/)"
	exec $(PY) -m config.devstack

# An SMS through the signed webhook of the running `make run` (same PORT), no Twilio needed:
# make sms TEXT="Hommes armés à Mbau" [FROM=+243991234567]
sms: export DEBUG ?= true
sms: install
	@test -n "$(TEXT)" || { echo 'Say what the SMS says: make sms TEXT="Hommes armés à Mbau"'; exit 2; }
	$(PY) manage.py simulate_sms --from "$(SMS_FROM)" --url "http://$(or $(KENGELE_ADDR),127.0.0.1:$(PORT))" "$(TEXT)"

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
