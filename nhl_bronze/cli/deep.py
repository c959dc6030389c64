"""``nhl-bronze verify --deep`` and ``nhl-bronze acknowledge-loss``: every history row's content against its hash.

``--deep`` hashes every row of both history tables again (``protection.content``) and prints one line per altered
row: table, key, ``_version``, and the columns that differ from its recorded content (or that the recorded content
is lost). A lost row keeps verify red until ``acknowledge-loss`` records, with a reason, that it is known
(``protection.losses``); recovery (``recover_history``) restores every row whose recorded content is found.
"""

from __future__ import annotations

from collections.abc import Callable

from nhl_bronze.protection.content import AlteredRow, check_content
from nhl_bronze.protection.losses import acknowledge_losses, acknowledged, is_acknowledged
from nhl_bronze.readers.schema import HISTORY_TABLES
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import TableSpec

MAX_LINES_PER_TABLE = 50


def altered_rows(store: DeltaStore, specs: list[TableSpec], progress: Callable[[str], None]) -> list[AlteredRow]:
    """The altered rows of ``specs`` that no acknowledgement covers."""
    known = acknowledged(store)
    found: list[AlteredRow] = []
    for spec in specs:
        progress(f"hashing every row of {spec.name} again (deep check)")
        report = check_content(store, spec)
        open_rows = [row for row in report.altered if not is_acknowledged(row, known)]
        progress(f"{spec.name}: {report.rows_checked:,} rows in {report.files_checked} files checked, "
                 f"{len(open_rows)} altered, {len(report.altered) - len(open_rows)} acknowledged as lost, "
                 f"{report.restored} restored by a later version")
        found += open_rows
    return found


def deep_problems(store: DeltaStore, progress: Callable[[str], None]) -> list[str]:
    """One line per altered row of each history table (at most ``MAX_LINES_PER_TABLE`` per table)."""
    problems: list[str] = []
    rows = altered_rows(store, list(HISTORY_TABLES), progress)
    for spec in HISTORY_TABLES:
        mine = [row for row in rows if row.table == spec.name]
        problems += [row.describe() for row in mine[:MAX_LINES_PER_TABLE]]
        if len(mine) > MAX_LINES_PER_TABLE:
            problems.append(f"{spec.name}: {len(mine) - MAX_LINES_PER_TABLE} more altered rows")
    return problems


def acknowledge(store: DeltaStore, specs: list[TableSpec], games: list[int], reason: str, by: str | None,
                progress: Callable[[str], None]) -> tuple[list[AlteredRow], list[str]]:
    """Acknowledge the lost rows of ``specs`` (of ``games`` only, when given): the rows acknowledged, and the
    altered rows left alone because their recorded content can still be restored."""
    rows = [row for row in altered_rows(store, specs, progress) if not games or row.key.get("gameId") in games]
    lost = [row for row in rows if row.lost]
    restorable = [f"{row.describe()} (not acknowledged: restore it with recover_history)"
                  for row in rows if not row.lost]
    if lost:
        acknowledge_losses(store, lost, reason, by)
    return lost, restorable
