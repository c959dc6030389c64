"""Today's date in the NHL's calendar, or a pretended one (replays, tests)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from nhl_bronze.domain.dates import NHL_TIMEZONE


class ClockResource(dg.ConfigurableResource):
    today: str | None = None
    """YYYY-MM-DD to use as the current US Eastern date; default: the real date."""

    def eastern_today(self) -> date:
        return date.fromisoformat(self.today) if self.today else datetime.now(ZoneInfo(NHL_TIMEZONE)).date()
