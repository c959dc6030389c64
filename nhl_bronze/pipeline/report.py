"""What a staging or history call did: plain values the Dagster assets turn into metadata and check results."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from nhl_bronze.client.errors import GameFetchError
from nhl_bronze.client.window import WindowFetch


@dataclass(frozen=True)
class TableState:
    """A table after a call: its rows written/merged, Delta version and the checks' facts of the window."""

    name: str
    uri: str
    version: int  # -1: the table does not exist (nothing was ever written)
    rows: int  # staging: rows written by the call; history: rows in the whole table afterwards
    duplicate_keys: int  # staging: in the window; history: keys with two latest rows in the window
    contract_problems: tuple[str, ...] = ()  # staging only: column names/types off the contract
    exists: bool = True


@dataclass
class StagingReport:
    """The result of ``stage_window``: what was fetched, written, pending, skipped and failed."""

    source: str
    start: date
    end: date
    games_fetched: int = 0
    api_calls: int = 0
    api_retries: int = 0
    pending: list[str] = field(default_factory=list)
    pending_games: list = field(default_factory=list)  # the UnfetchedGame records behind ``pending``
    skipped: Counter[str] = field(default_factory=Counter)
    without_shift_chart: list[str] = field(default_factory=list)
    failures: list[GameFetchError] = field(default_factory=list)
    parity_mismatches: list[str] = field(default_factory=list)
    repaired_charts: list[str] = field(default_factory=list)  # games staged with a best-effort chart repair
    tables: dict[str, TableState] = field(default_factory=dict)

    @property
    def failed_dates(self) -> dict[date, list[str]]:
        """Each date with a failed game (it kept its previous staging rows) -> the failures, naming the game."""
        by_date: dict[date, list[str]] = {}
        for failure in self.failures:
            by_date.setdefault(failure.game_date, []).append(str(failure))
        return dict(sorted(by_date.items()))

    def failure_summary(self) -> str:
        return "; ".join(f"{day}: {' | '.join(reasons)}" for day, reasons in self.failed_dates.items())

    def add_fetch(self, window: WindowFetch) -> None:
        self.games_fetched += len(window.games)
        self.api_calls += window.api_calls
        self.api_retries += window.retries
        self.pending += [f"{p.game_id} ({p.game_date}): {p.reason}" for p in window.pending]
        self.pending_games += window.pending
        self.skipped.update(s.reason for s in window.skipped)
        self.without_shift_chart += [
            f"{g.game_id} ({g.game_date}): shift chart {g.shift_chart_status}"
            for g in window.games
            if g.shift_chart is None or g.shift_chart_status != "ok"
        ]


@dataclass(frozen=True)
class TableMerge:
    """One history table after ``merge_window``."""

    state: TableState
    rows_inserted: int
    rows_unchanged: int
    rows_before: int
    latest_rows_in_window: int


@dataclass
class MergeReport:
    """The result of ``merge_window``: one ``TableMerge`` per history table, by table name."""

    start: date
    end: date
    run_id: str
    tables: dict[str, TableMerge] = field(default_factory=dict)
