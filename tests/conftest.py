"""Constants every test family shares (import them: ``from tests.conftest import TODAY``)."""

from __future__ import annotations

import datetime as dt

# The pinned day (TVT_TODAY) that use-case and exemption expiry are judged against, so no test
# depends on the calendar.
TODAY = "2026-06-01"
TODAY_DATE = dt.date.fromisoformat(TODAY)

# The subscription the tests deploy to and build Azure resource ids in.
SUBSCRIPTION = "00000000-0000-4000-8000-100000000042"
