"""A pytest plugin for ``make mutate``: every session starts with the project's caches empty.

mutmut runs the tests once in its own process, then forks a child per mutant. A ``functools.cache``
filled in that first run (``api_conformance``'s model tables, ``abac``'s parses, the tests' cached
baseline findings) would answer the child from the original code, so the mutant would never run
and would "survive". Clearing them when each child's session starts makes every mutant run.
"""

from __future__ import annotations

import functools
import sys

import pytest

PREFIXES = ("policies", "components", "scripts", "tests")


def clear_project_caches() -> int:
    """Clear every ``functools`` cache held by a project module or a class in one; how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in PREFIXES:
            continue
        holders = [module, *(v for v in vars(module).values() if isinstance(v, type))]
        for holder in holders:
            for value in list(vars(holder).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()
                    cleared += 1
    return cleared


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    clear_project_caches()
