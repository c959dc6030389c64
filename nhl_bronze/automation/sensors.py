"""Sensors: run dates whose games became final, heal gaps in history, and summarise failed runs.

The old system's window was driven by its max ingested date, so a gap that fell behind the lookback never
healed. Here the unit of work is a set of final games: a date is requested whenever the schedule lists final
games for it that history does not hold.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import dagster as dg
import polars as pl

from nhl_bronze.automation.jobs import bronze_job
from nhl_bronze.domain.dates import FIRST_GAME_DATE, in_window
from nhl_bronze.domain.games import classify_schedule_game
from nhl_bronze.ingest import GameWindowSource
from nhl_bronze.resources.lakehouse import LakehouseResource, StagingSource
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY

RECENT_DAYS = 7  # dates before today checked on every tick for games that became final
GAP_SCAN_DAYS = 14  # older dates checked per tick, walking back to the first partition and starting over
FIRST_DATE = date.fromisoformat(FIRST_GAME_DATE)


@dataclass
class FinalGamesCursor:
    requested: dict[str, str] = field(default_factory=dict)  # date -> digest of the final games requested
    gap_scan_before: str | None = None  # the gap scan continues with the dates before this one
    cycle: int = 0  # completed gap-scan passes; a new pass may retry a gap whose run failed

    @classmethod
    def parse(cls, raw: str | None) -> "FinalGamesCursor":
        return cls(**json.loads(raw)) if raw else cls()

    def dump(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def final_game_ids(schedule_games: dict[date, list[dict]]) -> dict[date, list[int]]:
    return {
        day: sorted(g["id"] for g in games if classify_schedule_game(g)[0] == "fetch")
        for day, games in schedule_games.items()
    }


def game_ids_in_history(store: DeltaStore, first: date, end: date) -> set[int]:
    if not store.exists(GAMES_HISTORICAL_HISTORY):
        return set()
    return set(
        store.scan(GAMES_HISTORICAL_HISTORY)
        .filter(in_window(first, end))
        .select(pl.col("gameId").unique())
        .collect()["gameId"]
        .to_list()
    )


def _digest(game_ids: list[int]) -> str:
    return hashlib.sha1(",".join(map(str, game_ids)).encode()).hexdigest()[:12]


@dg.sensor(
    name="final_games_sensor",
    job=bronze_job,
    minimum_interval_seconds=30 * 60,
    description="Requests a run for each date whose schedule lists final games missing from history: recent dates "
    "as their games finish, and older gaps found by a rolling scan back to the first partition.",
)
def final_games_sensor(
    context: dg.SensorEvaluationContext, nhl_api: NhlApiResource, lakehouse: LakehouseResource
) -> dg.SensorResult | dg.SkipReason:
    if StagingSource(lakehouse.source) is StagingSource.RAW:
        return dg.SkipReason("lakehouse source is 'raw': nothing new can arrive without the API")
    cursor = FinalGamesCursor.parse(context.cursor)
    today = lakehouse.eastern_today()
    recent_start = max(FIRST_DATE, today - timedelta(days=RECENT_DAYS))
    gap_end = date.fromisoformat(cursor.gap_scan_before) if cursor.gap_scan_before else recent_start
    if gap_end <= FIRST_DATE:
        gap_end, cursor.cycle = recent_start, cursor.cycle + 1
    gap_start = max(FIRST_DATE, gap_end - timedelta(days=GAP_SCAN_DAYS))

    with GameWindowSource(nhl_api, lakehouse) as source:
        recent = final_game_ids(source.schedule_games(recent_start, today)) if recent_start < today else {}
        gaps = final_game_ids(source.schedule_games(gap_start, gap_end)) if gap_start < gap_end else {}
    store = lakehouse.store()
    stored = game_ids_in_history(store, min(gap_start, recent_start), today)

    requests: list[dg.RunRequest] = []
    for kind, finals in (("recent", recent), (f"gap{cursor.cycle}", gaps)):
        for day, game_ids in sorted(finals.items()):
            missing = [g for g in game_ids if g not in stored]
            digest = _digest(game_ids)
            if not missing or (kind == "recent" and cursor.requested.get(day.isoformat()) == digest):
                continue
            cursor.requested[day.isoformat()] = digest
            requests.append(
                dg.RunRequest(
                    # One run per (date, set of final games): never the same work twice.
                    run_key=f"{kind}:{day}:{digest}",
                    partition_key=day.isoformat(),
                    tags={"nhl_bronze/trigger": f"final_games_sensor:{kind}", "nhl_bronze/missing_games":
                          ",".join(map(str, missing[:20]))},
                )
            )
    cursor.requested = {d: v for d, v in cursor.requested.items() if d >= recent_start.isoformat()}
    cursor.gap_scan_before = gap_start.isoformat()
    return dg.SensorResult(run_requests=requests, cursor=cursor.dump())


@dg.run_failure_sensor(
    name="bronze_failure_summary",
    monitored_jobs=[bronze_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs one clear line per failed bronze run: its dates and each failed step's reason "
    "(game ids and URLs are in the reasons).",
)
def bronze_failure_summary(context: dg.RunFailureSensorContext) -> None:
    context.log.error(failure_summary(context.dagster_run.tags, [
        (event.step_key, event.step_failure_data.error.message if event.step_failure_data.error else "")
        for event in context.get_step_failure_events()
    ]))


def failure_summary(tags: dict[str, str], step_failures: list[tuple[str | None, str]]) -> str:
    dates = tags.get("dagster/partition") or (
        f"{tags.get('dagster/asset_partition_range_start')}..{tags.get('dagster/asset_partition_range_end')}"
    )
    reasons = "; ".join(f"{step}: {message.strip().splitlines()[0] if message else 'no message'}"
                        for step, message in step_failures)
    return f"bronze run failed for {dates}: {reasons or 'no step failed (run-level failure)'}"
