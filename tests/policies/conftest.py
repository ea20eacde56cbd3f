"""Pin today's date so exemption and use-case expiry are reproducible (the pack reads TVT_TODAY)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.conftest import TODAY, TODAY_DATE


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    monkeypatch.setenv("TVT_TODAY", TODAY)
    yield TODAY_DATE
