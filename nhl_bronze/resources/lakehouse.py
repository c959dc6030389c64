"""Where the bronze Delta tables live."""

from __future__ import annotations

import dagster as dg

from nhl_bronze.protection import open_store
from nhl_bronze.settings import DEFAULT_DATA_DIR
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.raw_responses import RawResponseStore


class LakehouseResource(dg.ConfigurableResource):
    """The table root: a local path or a URI (``s3://bucket/prefix``, ``file:///...``); table ``T`` lives at
    ``data_dir/T``. ``storage_options`` go to deltalake as they are (credentials usually come from the standard
    ``AWS_*`` variables, which deltalake reads itself)."""

    data_dir: str = DEFAULT_DATA_DIR
    storage_options: dict[str, str] | None = None
    # Where the ledger of the protected tables lives (default ``data_dir/_nhl_bronze_ledger``); on an object store
    # it may be another bucket or prefix (same storage options), where Object Lock can protect it.
    ledger_root: str | None = None

    def store(self, run_id: str | None = None) -> DeltaStore:
        """The lake, writable; ``run_id`` (a Dagster asset passes ``context.run_id``) goes into every ledger entry
        its protected commits record, so an entry names the run that wrote it."""
        return open_store(self.data_dir, self.storage_options, ledger_root=self.ledger_root, run_id=run_id)

    def raw_responses(self, run_id: str | None = None) -> RawResponseStore:
        return RawResponseStore(self.store(run_id))
