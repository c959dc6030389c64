"""One opened version of a table (``DeltaStore.open(spec)``): what the reads, audits and writes of one operation
share, instead of each re-opening the log (opening replays the log, which grows with the table's history).

A snapshot of a table that does not exist yet has ``table`` None: it reads as empty (no rows, no version) until
``refresh`` finds the table created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, game_date_int, in_window
from nhl_bronze.storage.files import LOW, date_ranges, files_dated_in, files_holding_games, meets
from nhl_bronze.storage.scan import scan_snapshot
from nhl_bronze.storage.tables import TableSpec


@dataclass
class TableSnapshot:
    spec: TableSpec
    uri: str
    storage_options: dict[str, str] | None
    table: DeltaTable | None

    @property
    def exists(self) -> bool:
        return self.table is not None

    def version(self) -> int | None:
        return self.table.version() if self.table is not None else None

    def refresh(self) -> TableSnapshot:
        """Brought up to date: only the commits made since it was opened are read (a table created since then
        is opened)."""
        if self.table is not None:
            self.table.update_incremental()
        elif DeltaTable.is_deltatable(self.uri, storage_options=self.storage_options):
            self.table = DeltaTable(self.uri, storage_options=self.storage_options)
        return self

    def delta_table(self) -> DeltaTable:
        if self.table is None:
            raise FileNotFoundError(f"{self.spec.name}: there is no table at {self.uri} yet")
        return self.table

    def scan(self, only_files: list[str] | None = None) -> pl.LazyFrame:
        """Rows of this version, optionally of some of its files only (paths as in the add actions)."""
        return scan_snapshot(self.delta_table(), self.storage_options, only_files)

    def scan_window(self, start: date, end: date) -> pl.LazyFrame:
        """Rows of ``[start, end)``, read from the files whose logged dates meet the window only (a table laid out
        by season holds a window in a few of its files)."""
        return self.scan(files_dated_in(self.delta_table(), start, end)).filter(in_window(start, end))

    def files_holding_games(self, column: str, game_ids: list[int]) -> list[str]:
        return files_holding_games(self.delta_table(), column, game_ids)

    def row_count(self) -> int:
        """Rows in this version, from the log's per-file statistics (no data file is read); 0 before the table
        exists."""
        if self.table is None:
            return 0
        records = self.table.get_add_actions(flatten=True).column("num_records").to_pylist()
        if any(count is None for count in records):  # a file written without statistics
            return self.scan().select(pl.len()).collect().item()
        return int(sum(records))

    def rows_per_date(self, start: date, end: date) -> dict[int, int]:
        """Rows per ``gameDate`` of ``[start, end)``: what lets a long merge be cut into chunks of similar size.

        A table partitioned by date answers from its log (no data file is read; a file without statistics counts
        0); any other layout reads the ``gameDate`` column of the files whose logged dates meet the window."""
        if self.table is None:
            return {}
        if GAME_DATE_COLUMN not in self.table.metadata().partition_columns:
            counts = self.scan_window(start, end).group_by(pl.col(GAME_DATE_COLUMN).cast(pl.Int64)).len()
            return dict(counts.collect().iter_rows())
        dated = date_ranges(self.table).filter(pl.col(LOW).is_not_null(),
                                               meets(game_date_int(start), game_date_int(end)))
        counts = dated.group_by(pl.col(LOW)).agg(pl.col("num_records").fill_null(0).sum())
        return {day: int(rows) for day, rows in counts.iter_rows()}

