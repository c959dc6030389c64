"""Check results of the bronze steps, reported as one evaluation per check and run.

Dagster 1.13 writes one planned row per date of a range run for every check the run selects, whatever the
check's own partitioning: the 12 checks of a three-season rebuild were 12,048 rows at run creation, ~0.6 s a
check on PostgreSQL and most of the run's bookkeeping. ``bronze_job`` therefore selects the staging and history
assets without their checks, and each step reports its checks' results as evaluation events of the run
(``report_check_results``): one row per check and run, whose metadata names the window and the failing dates
and games. The checks stay declared on their assets (descriptions, blocking flag, history in the UI); an asset
selection that does select them (the UI's default for *Materialize*) gets Dagster's own check results.

A blocking check that fails while not selected stops the step after its materializations
(``raise_if_blocking_failed``), as Dagster does for a selected one: the steps downstream (the history merges)
never start.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import dagster as dg


def check_key(result: dg.AssetCheckResult, default_asset: dg.AssetKey | None = None) -> dg.AssetCheckKey:
    asset_key = result.asset_key or default_asset
    if asset_key is None or result.check_name is None:
        raise ValueError(f"a check result must name its asset and check: {result!r}")
    return dg.AssetCheckKey(asset_key, result.check_name)


def evaluation_of(result: dg.AssetCheckResult, key: dg.AssetCheckKey, blocking: bool) -> dg.AssetCheckEvaluation:
    return dg.AssetCheckEvaluation(
        asset_key=key.asset_key, check_name=key.name, passed=result.passed, metadata=result.metadata,
        severity=result.severity, description=result.description, blocking=blocking,
    )


def report_check_results(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext,
    results: Iterable[dg.AssetCheckResult],
    blocking: Iterable[dg.AssetCheckKey] = (),
    default_asset: dg.AssetKey | None = None,
) -> list[dg.AssetCheckResult]:
    """Logs the results of the checks the run did not select as evaluation events of the run, and returns the
    selected ones, for the step to yield.

    Dagster records logged events when the step yields its next result or ends, and drops them when it raises: a
    step that may fail afterwards (a blocking check, the run's failed games) logs first, then yields."""
    blocking = set(blocking)
    selected = context.selected_asset_check_keys
    log_event = context.op_execution_context.log_event
    to_yield = []
    for result in results:
        key = check_key(result, default_asset)
        if key in selected:
            to_yield.append(result)
        else:
            log_event(evaluation_of(result, key, key in blocking))
    return to_yield


def raise_if_blocking_failed(
    context: dg.AssetExecutionContext,
    results: list[dg.AssetCheckResult],
    blocking: Iterable[dg.AssetCheckKey],
    start: date,
    end: date,
) -> None:
    """Fails the step when a blocking check the run did not select failed (Dagster enforces the selected ones),
    naming the table, the check and the run's dates."""
    blocking = set(blocking)
    selected = context.selected_asset_check_keys
    failed = [key for key, result in ((check_key(result), result) for result in results)
              if key in blocking and key not in selected and not result.passed]
    if failed:
        names = "; ".join(f"{key.name} of {key.asset_key.to_user_string()}" for key in failed)
        raise dg.Failure(
            description=f"blocking check(s) failed for the dates {start} .. {end - timedelta(days=1)} ({names}): "
            "nothing of these dates is merged into history",
            metadata={"failed_checks": dg.MetadataValue.json([key.to_user_string() for key in failed]),
                      "first_date": str(start), "last_date": str(end - timedelta(days=1))},
        )


def require_all_selected(context: dg.AssetExecutionContext, keys: Iterable[dg.AssetKey]) -> None:
    """These assets are written together by one step: refuse a selection of only some of them (or of their
    checks alone), which would write tables the run does not record."""
    keys = set(keys)
    if set(context.selected_asset_keys) != keys:
        raise dg.Failure(description="select all of " + ", ".join(sorted(k.to_user_string() for k in keys))
                         + " (one step writes them together; their checks are evaluated by materializing them)")

