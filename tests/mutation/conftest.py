"""The mutation harness runs once per session; its kill rate is printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TODAY
from tests.mutation.harness import STACKS, Outcome, StackRun, run_catalogue, summary

RESULTS = pytest.StashKey[list[Outcome]]()


@pytest.fixture(scope="session")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Outcome]]:
    found: list[Outcome] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TVT_TODAY", TODAY)
        for stack in STACKS:
            scratch = tmp_path_factory.mktemp(f"mutation-{stack}")
            run = StackRun.make(stack, scratch / "out")
            found += run_catalogue(run, scratch)
    request.config.stash[RESULTS] = found
    yield found


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    found = config.stash.get(RESULTS, None)
    if found:
        terminalreporter.write_line(summary(found))
