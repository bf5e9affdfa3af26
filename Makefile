# Two commands: `make run` (set up, build the index if needed, serve the chat) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch. On this kind of machine pip takes torch==2.13.0 from local disk;
# elsewhere: make setup TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=

.PHONY: setup run test browser-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) app.py

# Debian's chromium drives the browser test (without it that one test is skipped with a reason);
# a CJK font makes its screenshots show Chinese instead of boxes.
browser-deps:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) >/dev/null 2>&1 \
	  || echo "note: chromium could not be installed; the browser test will be skipped"; }

test: setup browser-deps
	$(PY) -m pytest

# The benchmark suite (not part of `make test`): every step timed, then docs/benchmarks.md rendered.
# Pass options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--only scale,load" or "--quick".
BENCH_ARGS ?=
bench: setup
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
