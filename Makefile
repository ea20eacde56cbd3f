# The README's commands. Each target sets up what it needs (uv, then .venv from uv.lock).
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK ?= prod
OUT ?= out/$(STACK)
# uv from PATH, else the one pip installs as a Python module (installed on first use).
UV := $(or $(shell command -v uv 2>/dev/null),python3 -m uv)
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
VENV_STAMP := .venv/.synced

.PHONY: help plan test lint lint-workflows typecheck validate docs clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV_STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)" \
	  || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --quiet
	@touch $@

plan: $(VENV_STAMP) ## Offline preview of STACK (default prod) into out/STACK: no cloud, no Pulumi CLI
	@.venv/bin/tvt plan --stack $(STACK) --out $(OUT)

validate: $(VENV_STAMP) ## Validate stacks/Pulumi.$(STACK).yaml
	@.venv/bin/tvt validate --stack $(STACK)

lint: $(VENV_STAMP) lint-workflows ## ruff lint and format check, import-linter contracts, workflow checks
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports

lint-workflows: $(VENV_STAMP) ## zizmor, workflow schemas and shellcheck on .github/workflows (tests/workflows)
	@.venv/bin/python -m tests.workflows.workflow_checks

typecheck: $(VENV_STAMP) ## mypy on library code
	@.venv/bin/mypy

test: lint typecheck ## Lint, typecheck and the whole test suite
	@.venv/bin/pytest

docs: $(VENV_STAMP) ## Regenerate docs/rules.md from the policy registry
	@.venv/bin/python -m scripts.review.rules_table

clean: ## Remove generated output
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
