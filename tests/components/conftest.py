"""Session fixtures of the component tests: each program run happens once (see component_runs)."""

from __future__ import annotations

import pytest
from component_runs import GRANTS, STACKS, Run, Runs


@pytest.fixture(scope="session")
def runs() -> Runs:
    return Runs()


@pytest.fixture(scope="session", params=STACKS)
def model(request: pytest.FixtureRequest, runs: Runs) -> Run:
    """The platform built from the model config of dev, test and prod."""
    return runs.model(request.param)


@pytest.fixture(scope="session")
def prod(runs: Runs) -> Run:
    return runs.model("prod")


@pytest.fixture(
    scope="session", params=[f"{family}-{stack}" for family in ("model", "main") for stack in STACKS]
)
def any_run(request: pytest.FixtureRequest, runs: Runs) -> Run:
    """Every run, model-built and from the stack files: for invariants that hold whatever the config."""
    family, stack = request.param.split("-")
    return runs.model(stack) if family == "model" else runs.main(stack)


@pytest.fixture(scope="session")
def prod_reordered(runs: Runs) -> Run:
    """prod again, with the grants in reverse order: a second run for the determinism tests."""
    return runs.model("prod", tuple(reversed(GRANTS)), label="model-prod-reordered")
