"""Today's date for exemption and use-case expiry, overridable so CI and tests are reproducible.

Mirrors ``components.config.load.today`` (same ``TVT_TODAY`` variable) without importing it: the
import-linter contract keeps ``policies`` and ``components`` independent.
"""

from __future__ import annotations

import datetime as dt
import os

TODAY_ENV = "TVT_TODAY"


def today() -> dt.date:
    """``TVT_TODAY`` (YYYY-MM-DD) when set, else the local date.

    A malformed ``TVT_TODAY`` raises ``ValueError`` rather than silently using the real date: a
    pinned date that is ignored would make an expired exemption look valid in CI.
    """
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise ValueError(f"{TODAY_ENV}={pinned!r}: expected a date YYYY-MM-DD") from None
