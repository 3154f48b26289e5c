# kb_portal — two commands on a fresh machine:
#   make run    set everything up and serve the portal on http://127.0.0.1:$(PORT)
#   make test   install what the tests need and run them all (lint first)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 2
export FLASK_APP := wsgi

.PHONY: run test test-postgres serve-cluster stop-cluster install install-test browser lint serve setup clean translations bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser

# Debian's chromium (+ a CJK font for screenshots); skipped when already there.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then \
	  echo "installing chromium and a CJK font (apt)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

setup: install
	$(VENV)/bin/flask kb init
	$(VENV)/bin/flask kb import articles quizzes
	$(VENV)/bin/flask kb demo

run: setup
	@echo "kb_portal on http://127.0.0.1:$(PORT)  (Ctrl+C stops it)"
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --timeout 60 \
	  --access-logfile - wsgi:app

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check kb_portal tests wsgi.py ops $(wildcard bench)

# The data-layer tests run a second time against a throwaway PostgreSQL server, together with
# the two-server tests (tests/cluster: PostgreSQL, Redis and two gunicorn servers).
PG_TESTS ?= tests/kb tests/accounts tests/training tests/search tests/api tests/test_migrations.py \
  tests/test_restore.py tests/cluster

test: install-test lint
	$(PY) -m pytest --ignore=tests/cluster
	$(MAKE) --no-print-directory test-postgres

test-postgres: $(VENV)/.installed-test
	.ci/with-postgres .ci/with-redis $(PY) -m pytest -q -p no:cacheprovider $(PG_TESTS)

# Several servers on this machine (README "Production deployment"): PostgreSQL + Redis + two
# portal servers with the demo content behind nginx on http://127.0.0.1:$(CLUSTER_PORT).
CLUSTER_PORT ?= 8080
serve-cluster: install
	$(PY) -m ops.cluster start --port $(CLUSTER_PORT)

stop-cluster:
	$(PY) -m ops.cluster stop

translations: $(VENV)/.installed-test
	$(PY) -m babel.messages.frontend extract -F babel.cfg -k _l -o kb_portal/translations/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i kb_portal/translations/messages.pot -d kb_portal/translations -l zh --no-fuzzy-matching
	$(PY) -m kb_portal.i18n.hant   # zh_Hant is generated from zh (never edited by hand)
	$(VENV)/bin/pybabel compile -d kb_portal/translations

clean:
	rm -rf $(VENV) instance test-output
