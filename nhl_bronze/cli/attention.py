"""What ``status`` and ``verify`` add about incomplete input: quarantined schedule items, games without a chart.

Kept apart from ``status``/``verify`` themselves (one call each), so their layout stays theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nhl_bronze import settings
from nhl_bronze.derived.schedule import quarantine_lines
from nhl_bronze.pipeline.schedule_entries import stored_quarantine
from nhl_bronze.readers.charts import ChartlessGame, chartless_games
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.storage.delta import DeltaStore


@dataclass
class Attention:
    today: str
    quarantined: list[str] = field(default_factory=list)  # schedule items left out, each named
    without_chart: list[ChartlessGame] = field(default_factory=list)


def eastern_today() -> date:
    """The pipeline's today: ``NHL_BRONZE_TODAY`` when set (replays, tests), else the US Eastern date."""
    return ClockResource(today=settings.env(settings.TODAY)).eastern_today()


def collect_attention(store: DeltaStore, today: date | None = None) -> Attention:
    today = today or eastern_today()
    return Attention(today.isoformat(), quarantine_lines(stored_quarantine(store)), chartless_games(store, today))


def attention_lines(attention: Attention | None) -> list[str]:
    """The ``status`` section."""
    if attention is None:
        return []
    lines = ["", f"quarantined schedule items (left out of everything derived): {len(attention.quarantined)}"]
    lines += [f"  {line}" for line in attention.quarantined]
    lines += ["", f"games without a shift chart (as of {attention.today}): {len(attention.without_chart)}"]
    lines += [f"  {game.describe()}" for game in attention.without_chart]
    return lines


def chart_problems(store: DeltaStore, today: date | None = None) -> list[str]:
    """The ``verify`` lines: a game without a chart is incomplete history, with its age and next re-ask."""
    return [f"bronze_player_game_stats_v2: {game.describe()}"
            for game in chartless_games(store, today or eastern_today())]
