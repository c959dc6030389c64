"""The pipeline core, without Dagster: where a window of game dates becomes rows.

- ``staging.stage_window(source, store, start, end) -> StagingReport``: fetch, parse and write staging rows.
- ``history.merge_window(store, start, end, run_id) -> MergeReport``: merge staged rows into history.

The Dagster assets (``nhl_bronze.assets``) turn a partition window into these calls and their reports into
materializations and check results.
"""
