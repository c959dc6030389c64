"""``nhl-bronze backfill --season 2012-13``: one Dagster run of ``bronze_job`` over a season's real game dates.

Users think in seasons; the partitions are dates. A season's dates come from ``domain.seasons`` (first
regular-season day .. last playoff day, so the playoffs are included), cut at yesterday for a season still under
way and at ``--until`` when asked. The run is the one the UI launches for a partition range (the same range tags,
``bronze_job``: schedule landing -> staging -> history -> derived), recorded on the Dagster instance of
``DAGSTER_HOME``, so the UI shows it and its partitions: executed in this process, or with ``--launch`` handed to
the instance's run coordinator (queued on a deployment, executed by its daemon and run launcher). A re-run is
safe: staging overwrites exactly the season's dates and history only gains versions of rows whose values changed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta

from nhl_bronze import settings
from nhl_bronze.domain.seasons import Season


@dataclass(frozen=True)
class SeasonRange:
    season: Season
    start: date
    end: date  # inclusive, as Dagster's partition range

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def season_range(season: Season, first_game_date: date, today: date, until: date | None = None) -> SeasonRange:
    """The season's game dates a backfill can load today; a clear error when the deployment cannot."""
    if season.first_regular_day < first_game_date:
        raise ValueError(
            f"season {season.label} starts on {season.first_regular_day}, before this deployment's first game date "
            f"{first_game_date}: set {settings.FIRST_GAME_DATE}={season.first_regular_day} (or earlier) where the "
            "code location, the daemon and this command run, then restart them")
    end = min(season.last_day, today - timedelta(days=1), until or season.last_day)
    if end < season.first_regular_day:
        raise ValueError(f"season {season.label}: no game date to load before {min(today, until or today)} "
                         f"(the season starts on {season.first_regular_day})")
    return SeasonRange(season, season.first_regular_day, end)


def run_tags(span: SeasonRange) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": span.start.isoformat(),
            "dagster/asset_partition_range_end": span.end.isoformat(),
            "nhl_bronze/trigger": "backfill_season", "nhl_bronze/season": str(span.season.season_id)}


def equivalent_command(span: SeasonRange) -> str:
    return f"dagster job execute -m nhl_bronze.definitions -j bronze_job --tags '{json.dumps(run_tags(span))}'"


def submit(span: SeasonRange) -> int:
    """Hand the run to the instance's run coordinator and launcher (``dagster job launch``): on a deployment it
    is queued, runs in its pools and its own process or pod, and this command returns at once."""
    command = [sys.executable, "-m", "dagster", "job", "launch", "-m", "nhl_bronze.definitions", "-j", "bronze_job",
               "--tags", json.dumps(run_tags(span))]
    return subprocess.run(command, check=False).returncode


def launch(span: SeasonRange, progress) -> tuple[str, bool]:
    """Run ``bronze_job`` over the range as one run on the instance; returns (run id, success)."""
    import dagster as dg

    from nhl_bronze.automation.jobs import partition_range_tags
    from nhl_bronze.definitions import defs

    if settings.env(settings.DAGSTER_HOME):
        instance = dg.DagsterInstance.get()
    else:
        progress(f"{settings.DAGSTER_HOME} is not set: the run is not recorded on a Dagster instance")
        instance = dg.DagsterInstance.ephemeral()
    tags = {**partition_range_tags(span.start.isoformat(), span.end.isoformat()), **run_tags(span)}
    with instance:
        result = defs.resolve_job_def("bronze_job").execute_in_process(instance=instance, tags=tags,
                                                                       raise_on_error=False)
    return result.run_id, result.success
