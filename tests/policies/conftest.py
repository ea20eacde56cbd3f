"""Pin today's date so exemption and use-case expiry are reproducible (the pack reads TVT_TODAY)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    monkeypatch.setenv("TVT_TODAY", TODAY.isoformat())
    yield TODAY
