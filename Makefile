# `make demo` and `make test` set everything up on a fresh machine: they need only
# python3 (3.11 or later) and make, and, for the PostgreSQL tests, the Debian
# PostgreSQL server packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST_APP := examples/host_app
HOST_APP_STAMP := $(HOST_APP)/node_modules/.installed-$(shell cksum $(HOST_APP)/package-lock.json | cut -d' ' -f1)

.PHONY: demo test check fuzz system-packages host-app bench bench-quick bench-scale clean

$(STAMP): pyproject.toml
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(STAMP)
	$(BIN)/scrutiny-es demo

check: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy
	$(BIN)/mypy examples
	$(BIN)/lint-imports

# The example host's GOV.UK Frontend and, for its tests, axe-core: the versions its package-lock.json pins.
$(HOST_APP_STAMP): $(HOST_APP)/package.json $(HOST_APP)/package-lock.json
	rm -f $(HOST_APP)/node_modules/.installed-*
	npm ci --prefix $(HOST_APP) --no-audit --no-fund --loglevel=error
	touch $@

host-app: system-packages $(HOST_APP_STAMP)

# One test process per core: each starts its own PostgreSQL server and uses its own files.
test: check system-packages host-app
	$(BIN)/pytest -n auto

# The fuzz tests run a few dozen examples each in `make test`; here, 20,000 each on each database (hours:
# `-k` picks one test, so the three can run side by side).
fuzz: $(STAMP) system-packages
	SCRUTINY_FUZZ_EXAMPLES=20000 $(BIN)/pytest -n 0 --hypothesis-show-statistics tests/integration/test_fuzz.py

# The tests start PostgreSQL from its Debian binaries, render HTML in Chromium (and drive the example
# host in it through chromedriver), and open the Word
# pack in LibreOffice and read the PDF it makes with poppler; npm installs the example host's front-end.
system-packages:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Benchmarks are run by hand: they take minutes and the machine's load shows in them.
bench: $(STAMP) system-packages
	$(BIN)/python bench/run.py

bench-quick: $(STAMP) system-packages
	$(BIN)/python bench/run.py --quick

bench-scale: $(STAMP) system-packages
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
