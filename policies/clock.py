"""Today's date for exemption and use-case expiry, overridable so CI and tests are reproducible.

The pack's copy of ``components.config.load.today`` (same ``TVT_TODAY`` variable, same rule): the
import-linter contract keeps ``policies`` and ``components`` independent, so
``tests/hardening/test_inputs.py`` proves the two parsers accept and refuse the same values.
"""

from __future__ import annotations

import datetime as dt
import os
import re

TODAY_ENV = "TVT_TODAY"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The days a pinned date may be: expiry horizons are reckoned years ahead of it, and a day near the
# end of the calendar would overflow them (9999-12-31 plus a day is no date).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def today() -> dt.date:
    """``TVT_TODAY`` (exactly YYYY-MM-DD, from 2000 to 2999) when set, else the local date.

    A malformed ``TVT_TODAY`` (an empty one too) raises ``ValueError`` rather than silently using
    the real date: a pinned date that is ignored would make an expired exemption look valid in CI.
    """
    pinned = os.environ.get(TODAY_ENV)
    if pinned is None:
        return dt.date.today()
    try:
        if _ISO_DATE.fullmatch(pinned) and EARLIEST <= (day := dt.date.fromisoformat(pinned)) <= LATEST:
            return day
    except ValueError:
        pass
    raise ValueError(f"{TODAY_ENV}={pinned!r}: expected a date YYYY-MM-DD from {EARLIEST} to {LATEST}")
