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


def today() -> dt.date:
    """``TVT_TODAY`` (exactly YYYY-MM-DD) when set, else the local date.

    A malformed ``TVT_TODAY`` (an empty one too) raises ``ValueError`` rather than silently using
    the real date: a pinned date that is ignored would make an expired exemption look valid in CI.
    """
    pinned = os.environ.get(TODAY_ENV)
    if pinned is None:
        return dt.date.today()
    try:
        if _ISO_DATE.fullmatch(pinned):
            return dt.date.fromisoformat(pinned)
    except ValueError:
        pass
    raise ValueError(f"{TODAY_ENV}={pinned!r}: expected a date YYYY-MM-DD")
