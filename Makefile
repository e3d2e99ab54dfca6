# Conduct Portal — the two commands a newcomer needs: `make run` and `make test`.
# Both create .venv with a Python >= 3.12 (found by scripts/find-python.sh) and install requirements.txt.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Development mode (generated secret key, debug pages). Production runs gunicorn with DEBUG off, see README.
export DEBUG ?= 1
# honcho gives each process its own $$PORT, so the web port travels under another name.
export WEB_PORT := $(PORT)

.PHONY: run test venv messages migrate demo check clean backup restore fuzz bench

# Re-install only when requirements.txt changes, so repeated runs are fast and idempotent.
$(VENV)/.installed: requirements.txt
	@interpreter=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$interpreter"; "$$interpreter" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed .env

# Development settings for commands typed by hand (manage.py shell, createsuperuser, …); never overwritten.
.env:
	@printf '# Development settings, read by conduct_portal/settings.py (variables set in the shell win).\nDEBUG=1\n' > $@
	@echo "Created .env (DEBUG=1) for development."

# Translations are compiled with Babel (pure Python): no GNU gettext needed on the machine.
messages: venv
	@$(VENV)/bin/pybabel compile --domain django --directory locale --statistics 2>&1 | grep -v '^compiling' || true

migrate: messages
	$(PY) manage.py migrate --noinput

# Imports Hanoi's units and the demo district on first run; later runs change nothing.
demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@echo "Starting web (http://127.0.0.1:$(PORT)), Celery worker and Celery beat — Ctrl-C stops all three."
	exec $(VENV)/bin/honcho start --procfile Procfile

# Two passes: the fast tests on both cores (pytest-xdist), then those that start a browser, a Celery worker or
# servers of their own, one at a time. PYTEST_ARGS narrows both (a file, -k …).
test: messages
	$(PY) -m pytest -n $(or $(TEST_WORKERS),2) -m "not browser and not celery" $(PYTEST_ARGS); fast=$$?; \
	$(PY) -m pytest -m "browser or celery" $(PYTEST_ARGS); slow=$$?; \
	if [ $$fast -ne 0 ] && [ $$fast -ne 5 ]; then exit $$fast; fi; \
	if [ $$slow -ne 0 ] && [ $$slow -ne 5 ]; then exit $$slow; fi

# A long fuzz run: 1,000 random examples per target (the public feedback form, the Excel uploads); `make test`
# runs a fixed, shorter set of examples.
fuzz: messages
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -p no:cacheprovider -q tests/portal/test_fuzz_feedback_form.py tests/portal/test_fuzz_uploads.py

# Lint and import order (ruff), the layer order of the apps (import-linter), migrations and Django's checks.
check: messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# Everything the portal keeps (database and uploaded files) into var/backups/<date-time>/, or BACKUP_DIR=….
backup: venv
	$(PY) manage.py backup_data $(if $(BACKUP_DIR),--destination $(BACKUP_DIR))

# Puts back a backup folder: make restore BACKUP=var/backups/20261130-091500 (asks first; YES=1 does not).
restore: venv
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=var/backups/<folder>"; exit 2; }
	$(PY) manage.py restore_data "$(BACKUP)" $(if $(YES),--yes)

# Speed at BENCH_SCALE=small (default) or city, each figure beside a limit measured in the same run (docs/performance.md).
# PostgreSQL only: works on a database of its own, <name>_bench next to DATABASE_URL's, filled once by generate_synthetic.
bench: messages
	BENCH_SCALE=$(or $(BENCH_SCALE),small) $(PY) -m benchmarks

clean:
	rm -rf $(VENV) staticfiles
