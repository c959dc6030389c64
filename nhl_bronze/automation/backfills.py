"""How a partition backfill of the bronze assets is cut into runs.

By default a backfill of any length is one run (``BackfillPolicy.single_run``), chunked by week inside: the
daemon's tick and the per-run start-up are paid once. On a deployment with a queue and several workers (Postgres
instance, K8s run launcher: one run per pod), ``NHL_BRONZE_BACKFILL_DAYS_PER_RUN=31`` cuts a long backfill or raw
rebuild into month-sized runs that the queue runs side by side. That is safe: each run overwrites only its own
staging dates and history merges are insert-only per date window (commit races are retried); the ``nhl_api``
pool still keeps API traffic to one client at a time, so the gain is for CPU-bound work such as a raw rebuild
(``NHL_BRONZE_SOURCE=raw``, with the ``nhl_api`` pool limit raised).
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg


def backfill_policy(days_per_run: int | None) -> dg.BackfillPolicy:
    if days_per_run is None:
        return dg.BackfillPolicy.single_run()
    return dg.BackfillPolicy.multi_run(max_partitions_per_run=days_per_run)


def with_backfill_policy(
    assets: Sequence[dg.AssetsDefinition], days_per_run: int | None
) -> list[dg.AssetsDefinition]:
    """The partitioned assets with the deployment's policy; the default keeps the assets as defined."""
    if days_per_run is None:
        return list(assets)
    policy = backfill_policy(days_per_run)
    return [asset.with_attributes(backfill_policy=policy) if asset.partitions_def else asset for asset in assets]
