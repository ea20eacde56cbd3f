# The README's commands. Each target sets up what it needs (uv, then .venv from uv.lock).
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK ?= prod
OUT ?= out/$(STACK)
BASE ?= origin/main
FORMAT ?= text
# uv from PATH, else the one pip installs as a Python module (installed on first use).
UV := $(or $(shell command -v uv 2>/dev/null),python3 -m uv)
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
# A new stamp name when the sync recipe changes, so existing venvs are synced again once.
VENV_STAMP := .venv/.synced-own-bytecode

.PHONY: help setup plan bench check report diff test lint lint-workflows typecheck validate docs mutate clean

# Help texts name variables as $(VAR); awk replaces them with their values, so `make help` says
# "out/prod/plan.json", not "$(OUT)/plan.json".
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk -F':.*## ' -v stack='$(STACK)' -v out='$(OUT)' -v base='$(BASE)' \
	    '{ gsub(/\$$\(STACK\)/, stack, $$2); gsub(/\$$\(OUT\)/, out, $$2); gsub(/\$$\(BASE\)/, base, $$2); \
	       printf "  make %-15s %s\n", $$1, $$2 }'

$(VENV_STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
	  || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "uv==$(UV_VERSION)"
	@# Bytecode written once here: PYTHONDONTWRITEBYTECODE=1 (CI, these machines) would otherwise make
	@# every run compile azure-native's modules from source again, about 2 s per tvt plan.
	@$(UV) sync --frozen --quiet --compile-bytecode
	@# This repository's own modules too (the program's components, the pack, tvt): from a fresh
	@# clone they were compiled again on every run, about 0.5 s of CPU per tvt plan (tvt and the pack).
	@.venv/bin/python -m compileall -q components policies scripts >/dev/null
	@touch $@

setup: $(VENV_STAMP) ## Set up uv and .venv only (every other target does it first)

plan: $(VENV_STAMP) ## Offline preview of stack $(STACK) into $(OUT): plan, findings and reports
	@.venv/bin/tvt plan --stack $(STACK) --out $(OUT)

check: $(VENV_STAMP) ## Re-evaluate the policy pack against the saved $(OUT)/plan.json
	@.venv/bin/tvt check $(OUT)/plan.json

report: $(VENV_STAMP) ## Rewrite the HTML, Markdown, SARIF and JUnit reports of $(OUT)/plan.json
	@.venv/bin/tvt report $(OUT)/plan.json

# The base plan is built by the base's own code (its program, pack and tool, on this venv's
# packages) in a temporary git worktree, then compared with the working tree's plan. A plan that
# exits 1 (a mandatory finding) is still a plan to compare; anything else stops here.
diff: $(VENV_STAMP) ## Diff stack $(STACK) between git ref $(BASE) and the working tree (FORMAT=text|md|json)
	@set -uo pipefail; tmp="$$(mktemp -d)"; \
	trap 'git worktree remove --force "$$tmp/base" >/dev/null 2>&1; rm -rf "$$tmp"' EXIT; \
	git worktree add --detach --quiet "$$tmp/base" "$(BASE)" || exit 2; \
	( cd "$$tmp/base" && PYTHONPATH="$$tmp/base" "$(CURDIR)/.venv/bin/python" -m scripts.cli \
	    plan --stack "$(STACK)" --out "$$tmp/out" >"$$tmp/base.log" 2>&1 ); code=$$?; \
	if [ "$$code" -gt 1 ]; then cat "$$tmp/base.log" >&2; echo "make diff: the plan of $(BASE) failed" >&2; exit 2; fi; \
	.venv/bin/tvt plan --stack "$(STACK)" --out "$(OUT)" >"$$tmp/head.log" 2>&1; code=$$?; \
	if [ "$$code" -gt 1 ]; then cat "$$tmp/head.log" >&2; exit "$$code"; fi; \
	.venv/bin/tvt diff "$$tmp/out/plan.json" "$(OUT)/plan.json" --format "$(FORMAT)"

validate: $(VENV_STAMP) ## Validate stacks/Pulumi.$(STACK).yaml
	@.venv/bin/tvt validate --stack $(STACK)

lint: $(VENV_STAMP) lint-workflows ## ruff lint and format check, import-linter contracts, workflow checks
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports

lint-workflows: $(VENV_STAMP) ## zizmor, workflow schemas and shellcheck on .github/workflows (tests/workflows)
	@.venv/bin/python -m tests.workflows.workflow_checks

bench: $(VENV_STAMP) ## tvt plan on synthetic estates of 300-3,000 resources: table, out/bench/per_resource.png
	@.venv/bin/python -m scripts.bench.run --out out/bench

typecheck: $(VENV_STAMP) ## mypy on library code
	@.venv/bin/mypy

test: lint typecheck ## Lint, typecheck and the whole test suite
	@.venv/bin/pytest

mutate: $(VENV_STAMP) ## Code-mutation testing (mutmut) of policies/ and components/; slow, not in make test
	@.venv/bin/python -m tests.mutation.code_mutation $(GROUPS)

docs: $(VENV_STAMP) ## Regenerate docs/rules.md from the policy registry
	@.venv/bin/python -m scripts.review.rules_table

clean: ## Remove generated output
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
