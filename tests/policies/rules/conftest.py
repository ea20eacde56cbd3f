"""The compliant baseline's findings, computed once for every rule's test module."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY
from tests.policies import cases
from tests.policies.harness import Hit


@pytest.fixture(scope="session")
def baseline_findings() -> list[Hit]:
    # Session-scoped, so the function-scoped TVT_TODAY pin of tests/policies/conftest.py is not active yet.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TVT_TODAY", TODAY)
        return cases.baseline_findings()


@pytest.fixture(scope="session")
def preview_findings() -> list[Hit]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TVT_TODAY", TODAY)
        return cases.preview_findings()
