# The two commands of the README: `make portal` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
# See kb/__init__.py: keeps idle OpenBLAS threads from starving the e5 model.
export OPENBLAS_THREAD_TIMEOUT := 4

.PHONY: portal test setup index test-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch goes first and alone: 2.13.0 is the CPU build on local disk, and letting pip resolve it
# from another package's requirement pulls a multi-GB CUDA build.
# Then the project itself, editable (pyproject.toml): kb, indexer, portal and eval import from
# anywhere, streamlit run portal/app.py included, with no sys.path edits.
$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

setup: $(VENV)/.installed

# Index the bundled content. Bad articles are reported and skipped (exit status 1), which must
# not keep the portal from starting; a build that cannot run at all (status 2) stops here.
index: setup
	$(BIN)/python -m indexer build; status=$$?; [ $$status -le 1 ]

portal: index
	$(BIN)/streamlit run portal/server.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# Browser tests need Debian's Chromium (and CJK and emoji fonts, for readable screenshots) and
# axe-core from npm; the store tests use a real PostgreSQL. Each is installed only when missing;
# tests whose tool cannot be installed are skipped and say why.
test-tools:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk fonts-noto-color-emoji"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		(apt-get update -qq && apt-get install -y -qq $$missing >/dev/null) || echo "could not install$$missing"; \
	fi
	@[ -f node_modules/axe-core/axe.min.js ] || npm install --silent --no-save --no-audit --no-fund axe-core@4.10.3

# ruff first (pyproject.toml: pycodestyle and pyflakes): a lint error fails the run in seconds.
test: setup test-tools
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
