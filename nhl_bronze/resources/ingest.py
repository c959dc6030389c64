"""How staging ingests: from the API or the raw landing store, parsed in how many processes."""

from __future__ import annotations

from contextlib import AbstractContextManager

import dagster as dg

from nhl_bronze.pipeline.parse import available_cores
from nhl_bronze.pipeline.source import ApiSource, RawStoreSource, StagingSource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.nhl_api import NhlApiResource


class IngestResource(dg.ConfigurableResource):
    source: StagingSource = StagingSource.API
    """``api``: fetch (and land every body in the raw store); ``raw``: rebuild from the raw store, 0 API calls."""
    parse_workers: int = 0
    """Processes parsing games in windows longer than a week; 0 = one per available core, 1 = in-process."""

    def workers(self) -> int:
        return self.parse_workers if self.parse_workers > 0 else available_cores()

    def is_raw(self) -> bool:
        return StagingSource(self.source) is StagingSource.RAW

    def open_source(self, nhl_api: NhlApiResource, lakehouse: LakehouseResource,
                    run_id: str | None = None) -> AbstractContextManager[ApiSource | RawStoreSource]:
        raw_store = lakehouse.raw_responses(run_id)
        return RawStoreSource(raw_store) if self.is_raw() else ApiSource(nhl_api.open_session, raw_store)
