"""The ledger digest of a protected table, kept in the Dagster instance by the asset that writes the table.

Every materialization that writes a protected table (history, and the raw landing store written by staging and
``bronze_schedule_raw``) records the table's ledger digest in its metadata; the next materialization of the same
asset refuses to write unless the ledger still contains that digest. The instance (PostgreSQL in production) is
outside the storage, so someone who rewrites a table together with its ledger is caught there.
"""

import dagster as dg

from nhl_bronze.protection.audit import ledger_of
from nhl_bronze.protection.digests import (
    LEDGER_CHAIN_HASH,
    RAW_LEDGER_CHAIN_HASH,
    RAW_LEDGER_DIGEST,
    digest_metadata,
    extension_problem,
)
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES, TableSpec


def metadata_key(spec: TableSpec) -> str:
    """The metadata key of ``spec``'s chain hash: an asset that is not the table itself (staging, the schedule
    landing) records the raw store's under its own key, beside its own table's metadata."""
    return RAW_LEDGER_CHAIN_HASH if spec is RAW_API_RESPONSES else LEDGER_CHAIN_HASH


def last_recorded_chain_hash(instance: dg.DagsterInstance, key: dg.AssetKey, spec: TableSpec) -> str | None:
    event = instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    recorded = event.asset_materialization.metadata.get(metadata_key(spec))
    return str(recorded.value) if recorded is not None else None


def refuse_unless_ledger_extends(instance: dg.DagsterInstance, key: dg.AssetKey, store: DeltaStore,
                                 spec: TableSpec) -> None:
    """Raise ``dg.Failure`` (nothing written yet) when ``spec``'s ledger does not contain the digest the last
    materialization of ``key`` recorded."""
    recorded = last_recorded_chain_hash(instance, key, spec)
    if recorded is None:  # nothing recorded yet: nothing to extend (nor is a digest of an empty ledger)
        return
    problem = extension_problem(ledger_of(store), spec.name, recorded)
    if problem is not None:
        raise dg.Failure(f"{problem}; the last materialization of {key.to_user_string()} recorded it. Nothing was "
                         "written (docs/HISTORY_SAFETY.md)")


def ledger_digest_metadata(store: DeltaStore, spec: TableSpec) -> dict[str, str]:
    """The digest of ``spec``'s ledger now, as materialization metadata."""
    digest = ledger_of(store).digest(spec.name)
    if spec is RAW_API_RESPONSES:
        return {RAW_LEDGER_DIGEST: digest.line(), RAW_LEDGER_CHAIN_HASH: digest.chain_hash}
    return digest_metadata(digest)

