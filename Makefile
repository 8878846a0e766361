# The front door. Every target creates .venv and installs into it first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run` needs only the package; the other targets need the development tools too.
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint typecheck unit fuzz schemas render bench clean

$(RUN_STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e .
	@touch $(RUN_STAMP)

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $(RUN_STAMP)

## Lint the bundled example payloads: good ones pass, blocked ones show why.
run: $(RUN_STAMP)
	@echo "== examples/good: payloads the register accepts =="
	@$(BIN)/kling-lint check examples/good
	@echo
	@echo "== examples/blocked: each shows one kind of finding that stops a billable call =="
	@$(BIN)/kling-lint check examples/blocked; status=$$?; \
	  if [ $$status -eq 1 ]; then echo "kling-lint exited 1 for examples/blocked, as it should: every payload there is blocked (examples/README.md says what each shows)"; exit 0; \
	  else echo "unexpected exit $$status for examples/blocked"; exit 1; fi

## The whole suite: style, types, register, generated files, every test.
test: $(STAMP) lint typecheck
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check kling_lint tests bench
	$(BIN)/ruff format --check kling_lint tests bench
	$(BIN)/kling-lint registry validate registry

typecheck: $(STAMP)
	$(BIN)/mypy

## The tests without the slow ones that install and run the pre-commit hooks.
unit: $(STAMP)
	$(BIN)/pytest -q -m "not hook"

## The property tests and oracles with many more examples (minutes, not seconds).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/pytest -q \
	  tests/unit/test_schema_check.py tests/unit/test_properties.py tests/unit/test_yaml11.py \
	  tests/unit/test_payload_selection.py tests/unit/test_shortcuts.py \
	  tests/unit/test_config_schema.py tests/acceptance/test_fuzz_pipeline.py \
	  tests/acceptance/test_fail_closed_library.py tests/acceptance/test_integration_routes.py \
	  tests/acceptance/test_fixes.py tests/acceptance/test_allowlist_prune.py \
	  tests/acceptance/test_evidence.py tests/acceptance/test_overlays.py \
	  tests/acceptance/test_register_diff.py tests/acceptance/test_fail_closed_output.py

## Regenerate schemas/ and docs/REGISTER.md from registry/.
schemas: $(STAMP)
	$(BIN)/kling-lint schemas build
	$(BIN)/kling-lint registry render

# check-jsonschema is the yardstick, never a dependency: it lives in its own environment.
BENCH_VENV := bench/.venv
$(BENCH_VENV)/.installed:
	@test -d $(BENCH_VENV) || $(PYTHON) -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -m pip install --quiet 'check-jsonschema==0.39.0'
	@touch $@

## kling-lint beside check-jsonschema on the same corpora, ratios in one run.
bench: $(STAMP) $(BENCH_VENV)/.installed
	$(BIN)/python bench/run.py --check-jsonschema $(BENCH_VENV)/bin/check-jsonschema

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
