# Every target bootstraps what it needs on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SINMUN := $(VENV)/bin/sinmun
SEED := ../shared/seed/000_ed974366ffe0647b.txt
# 542 real, dated Korean Wikinews articles (CC BY 2.5): trends and timelines with real dates. The seed
# comes last, so the site's own page is what arrived most recently (the home page leads with it).
DEMO_INPUTS := $(wildcard ../shared/data/ko_wikinews_dev.jsonl.gz) $(SEED)
ASSETS := src/sinmun/web/static/vendor/swagger-ui-bundle.js

.PHONY: install demo test lint bench bench-scale chromium postgresql wrk clean

install: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(ASSETS): scripts/assets.sh
	scripts/assets.sh

# Debian packages the tests and the bench need (CI runs as root on a clean machine).
apt = @command -v $(1) >/dev/null 2>&1 || { \
	  echo "installing Debian's $(2)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(2) >/dev/null; }

chromium:  # the browser tests
	$(call apt,chromium,chromium)

postgresql:  # the PostgreSQL store's tests start a throwaway cluster of their own (tests/conftest.py)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

wrk:  # the bench's load generator
	$(call apt,wrk,wrk)

demo: install
	@[ -f sinmun.db ] || $(SINMUN) ingest $(DEMO_INPUTS)
	$(SINMUN) serve --host 127.0.0.1 --port 8000

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

test: install chromium postgresql lint
	$(PY) -m pytest

bench: install wrk
	$(PY) bench/bench.py

# sinmun at 10k, 100k and 1M generated articles (bench/scale.py; hours at 1M on two cores).
# SIZES=10000,100000 for a shorter run.
SIZES ?= 10000,100000,1000000
bench-scale: install
	$(PY) bench/scale.py --sizes $(SIZES)

clean:
	rm -rf $(VENV) build src/sinmun/web/static/fonts src/sinmun/web/static/vendor sinmun.db sinmun.db-wal sinmun.db-shm sinmun.index sinmun.index.lock
