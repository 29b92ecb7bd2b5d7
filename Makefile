# Two commands: `make run` starts the app, `make test` runs every test (the browser test included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint format bench chromium clean component

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python -m app.runtime.kernels  # compiles UMAP's kernels into .cache/ once after an install
	$(BIN)/python serve.py --server.port $(PORT)  # streamlit run lab_server.py (security headers), job workers started at once

# Playwright cannot download browsers here: the tests drive Debian's chromium.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "!!! chromium is missing and we are not root: the browser tests will be SKIPPED"; \
		echo "!!! install it with: sudo apt-get install chromium"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy  # type hints in app/ are checked, not wishes (settings: [tool.mypy] in pyproject.toml)

test: $(VENV)/.installed-test chromium lint
	$(BIN)/python -m pytest

# Explore's WebGL scatter (regl-scatterplot): rebuild the committed bundle after editing its source.
# Needs npm (the registry); `make run` and `make test` never run it, they use the committed dist/.
SCATTER := pages/components/scatter/frontend
component:
	cd $(SCATTER) && npm ci --no-audit --no-fund && npm run build

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every script under bench/, then one table: each figure next to its reference tool's, same run.
# `make bench BENCH_ARGS=--with-load-test` adds the 30-student load test; `BENCH_ARGS="--only umap_50k"` one script.
bench: $(VENV)/.installed-test chromium
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Known-vulnerable dependencies: pip-audit checks the packages installed in the venv against PyPI's
# vulnerability data (our own embedding-lab is installed editable, is not on PyPI, and is skipped).
# Fails when a vulnerable package is found. When the service cannot be reached, or cannot audit some
# packages, it says so loudly and passes; AUDIT_STRICT=1 makes that fail too.
AUDIT_REPORT := test-artifacts/pip-audit.txt
.PHONY: audit
audit: $(VENV)/.installed
	@$(BIN)/python -m pip_audit --version >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet pip-audit \
		|| echo "!!! WARNING: pip-audit could not be installed"
	@mkdir -p $(dir $(AUDIT_REPORT))
	@echo "pip-audit: auditing the packages installed in $(VENV) (report: $(AUDIT_REPORT))"
	@status=0; timeout 600 $(BIN)/python -m pip_audit --local --skip-editable --desc on --progress-spinner off \
		--timeout 30 >$(AUDIT_REPORT) 2>&1 || status=$$?; \
	cat $(AUDIT_REPORT); \
	unaudited=$$(grep -c "could not be audited" $(AUDIT_REPORT)); \
	if grep -qE "^Found [0-9]+ known vulnerabilit" $(AUDIT_REPORT); then \
		echo "!!! pip-audit: KNOWN-VULNERABLE DEPENDENCIES (listed above): upgrade them"; exit 1; \
	elif [ $$status -ne 0 ]; then \
		echo "!!! WARNING: pip-audit did not finish (exit $$status: service unreachable, timed out or not installed)."; \
		echo "!!! WARNING: NOTHING WAS AUDITED; this is not a clean bill of health."; problem=1; \
	elif [ $$unaudited -gt 0 ]; then \
		echo "!!! WARNING: $$unaudited packages could not be audited (the vulnerability service did not answer for"; \
		echo "!!! WARNING: them, see above); THEY WERE NOT CHECKED, even though pip-audit says none is vulnerable."; \
		problem=1; \
	else \
		echo "pip-audit: no known vulnerabilities"; \
	fi; \
	if [ "$${problem:-0}" = 1 ] && [ "$(AUDIT_STRICT)" = 1 ]; then exit 1; fi

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache bench/.cache
