"""Sensors: run dates whose games became final, heal gaps in every history table, and summarise failed runs.

The old system's window was driven by its max ingested date, so a gap that fell behind the lookback never
healed. Here the unit of work is a set of final games: a date is requested whenever the stored schedule lists
final games for it that some history table does not hold. Sensors only read: the schedule is landed by the
``bronze_schedule_raw`` asset (and by staging), never fetched here.

A game stored without its shift chart (not published yet, empty, 404) is healed the same way: its date is
requested again on the days ``domain.chart_reask`` says (daily for two weeks, then weekly to the season's end),
and a run that gets the chart adds a new history version of the game's rows with ice time.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import dagster as dg

from nhl_bronze.automation.jobs import bronze_job
from nhl_bronze.domain.chart_reask import chart_reask_due, reask_window_start
from nhl_bronze.domain.dates import GAME_DATE_COLUMN, date_of_game_date_int, in_window
from nhl_bronze.pipeline.history import STAGING_OF
from nhl_bronze.pipeline.schedule import stored_final_games
from nhl_bronze.readers.charts import games_without_chart
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.ingest import IngestResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.settings import AutomationSettings
from nhl_bronze.storage.delta import DeltaStore

REQUEST_TAG = "nhl_bronze/request"  # the request's key: the sensor finds the run it launched by it
MAX_RETRIES = 5  # a recent date whose run failed is asked again at most this often for the same final games
FINISHED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


@dataclass
class FinalGamesCursor:
    requested: dict[str, list] = field(default_factory=dict)  # date -> [digest of its final games, attempt]
    gap_scan_before: str | None = None  # the gap scan continues with the dates before this one
    cycle: int = 0  # completed gap-scan passes; a new pass may retry a gap whose run failed

    @classmethod
    def parse(cls, raw: str | None) -> "FinalGamesCursor":
        return cls(**json.loads(raw)) if raw else cls()

    def dump(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def games_to_heal(store: DeltaStore, finals: dict[date, list[int]], start: date, end: date) -> dict[date, list[int]]:
    """Per date of ``[start, end)``: each final game missing from any history table, and each game a staging
    table holds that its history table does not (staged, never merged)."""
    missing: dict[date, set[int]] = {}
    for history, staging in STAGING_OF.items():
        expected = {day: set(game_ids) for day, game_ids in finals.items()}
        for day, staged in _games_by_date(store, staging, start, end).items():
            expected.setdefault(day, set()).update(staged)
        in_history = _games_by_date(store, history, start, end)
        for day, games in expected.items():
            missing.setdefault(day, set()).update(games - in_history.get(day, set()))
    return {day: sorted(games) for day, games in sorted(missing.items()) if games}


def _games_by_date(store: DeltaStore, spec, start: date, end: date) -> dict[date, set[int]]:
    if not store.exists(spec):
        return {}
    pairs = (store.scan(spec).filter(in_window(start, end)).select(GAME_DATE_COLUMN, "gameId").unique().collect())
    by_date: dict[date, set[int]] = {}
    for game_date, game_id in pairs.iter_rows():
        by_date.setdefault(date_of_game_date_int(game_date), set()).add(game_id)
    return by_date


def charts_to_reask(store: DeltaStore, today: date, lookback_days: int) -> dict[date, list[int]]:
    """Per date due today (``chart_reask_due``): the games history holds without a shift chart. Dates the daily
    run covers anyway (the last ``lookback_days``) are left to it."""
    due: dict[date, list[int]] = {}
    for game_id, day in games_without_chart(store, reask_window_start(today), today):
        if (today - day).days > lookback_days and chart_reask_due(day, today):
            due.setdefault(day, []).append(game_id)
    return due


def _digest(game_ids: list[int]) -> str:
    return hashlib.sha1(",".join(map(str, game_ids)).encode()).hexdigest()[:12]


def _run_finished(instance: dg.DagsterInstance, request_key: str) -> bool:
    runs = instance.get_runs(dg.RunsFilter(tags={REQUEST_TAG: request_key}), limit=1)
    return bool(runs) and runs[0].status in FINISHED


def build_final_games_sensor(settings: AutomationSettings | None = None) -> dg.SensorDefinition:
    settings = settings or AutomationSettings()
    @dg.sensor(
        name="final_games_sensor",
        job=bronze_job,
        minimum_interval_seconds=30 * 60,
        description="Requests a run for each date whose stored schedule lists final games missing from a history "
        f"table: the last {settings.sensor_recent_days} dates as their games finish (again when a run failed), "
        f"and older gaps, {settings.sensor_gap_scan_days} dates per tick back to the first partition; and for "
        "each date holding games without a shift chart, daily for two weeks, then weekly to the season's end.",
    )
    def final_games_sensor(context: dg.SensorEvaluationContext, lakehouse: LakehouseResource,
                           clock: ClockResource, ingest: IngestResource) -> dg.SensorResult | dg.SkipReason:
        if ingest.is_raw():
            return dg.SkipReason("ingest source is 'raw': nothing new can arrive without the API")
        cursor = FinalGamesCursor.parse(context.cursor)
        today = clock.eastern_today()
        first_date = settings.first_game_date
        recent_start = max(first_date, today - timedelta(days=settings.sensor_recent_days))
        gap_end = date.fromisoformat(cursor.gap_scan_before) if cursor.gap_scan_before else recent_start
        if gap_end <= first_date:
            gap_end, cursor.cycle = recent_start, cursor.cycle + 1
        gap_start = max(first_date, gap_end - timedelta(days=settings.sensor_gap_scan_days))

        store = lakehouse.store()
        requests: list[dg.RunRequest] = []
        for kind, start, end in (("recent", recent_start, today), (f"gap{cursor.cycle}", gap_start, gap_end)):
            finals = stored_final_games(store, start, end)
            for day, missing in games_to_heal(store, finals, start, end).items():
                digest, attempt = _digest(finals.get(day, missing)), 0
                if kind == "recent" and day.isoformat() in cursor.requested:
                    seen_digest, attempt = cursor.requested[day.isoformat()]
                    if seen_digest == digest:
                        # Same games as last time: ask again only once that run is over and left them missing.
                        previous = f"{kind}:{day}:{digest}:{attempt}"
                        if attempt >= MAX_RETRIES or not _run_finished(context.instance, previous):
                            continue
                        attempt += 1
                    else:
                        attempt = 0
                # One run per (date, set of final games, attempt): never the same work twice.
                request_key = f"{kind}:{day}:{digest}:{attempt}"
                cursor.requested[day.isoformat()] = [digest, attempt]
                requests.append(dg.RunRequest(
                    run_key=request_key,
                    partition_key=day.isoformat(),
                    tags={"nhl_bronze/trigger": f"final_games_sensor:{kind}", REQUEST_TAG: request_key,
                          "nhl_bronze/missing_games": ",".join(map(str, missing[:20]))},
                ))
        requested_dates = {request.partition_key for request in requests}
        for day, chartless in charts_to_reask(store, today, settings.lookback_days).items():
            if day.isoformat() in requested_dates:
                continue
            # One run per date and day: the rule is stateless, the run key keeps the 30-min ticks from repeating it.
            request_key = f"charts:{day}:{today}"
            requests.append(dg.RunRequest(
                run_key=request_key,
                partition_key=day.isoformat(),
                tags={"nhl_bronze/trigger": "final_games_sensor:charts", REQUEST_TAG: request_key,
                      "nhl_bronze/games_without_chart": ",".join(map(str, chartless[:20]))},
            ))
        cursor.requested = {d: v for d, v in cursor.requested.items() if d >= recent_start.isoformat()}
        cursor.gap_scan_before = gap_start.isoformat()
        return dg.SensorResult(run_requests=requests, cursor=cursor.dump())

    return final_games_sensor


final_games_sensor = build_final_games_sensor()


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
