"""Ledger digests kept elsewhere: proving that a ledger only grew since a digest an operator (or the Dagster
instance, PostgreSQL in production) kept.

A digest is a ledger's head: ``table version chain-hash``. Because every entry's hash covers the previous one, a
ledger extends a digest exactly when one of its entries carries that chain hash: the entries up to it are the ones
the digest was taken over, unchanged (the chain is verified on every read). Someone who rewrites a table and its
ledger together produces a valid chain, but not one that contains the digest kept outside the storage.
"""

from __future__ import annotations

from nhl_bronze.protection.ledger import GENESIS_HASH, Ledger, LedgerCorruptError, LedgerDigest

LEDGER_DIGEST = "ledger_digest"  # materialization metadata: the digest line
LEDGER_CHAIN_HASH = "ledger_chain_hash"  # materialization metadata: the chain hash alone
# The same for the raw landing store, recorded by the assets that land raw bodies (staging, the schedule landing)
RAW_LEDGER_DIGEST = "raw_ledger_digest"
RAW_LEDGER_CHAIN_HASH = "raw_ledger_chain_hash"


def parse_digest(text: str, table: str | None = None) -> str:
    """The chain hash of a digest given as a line (``table version chain-hash``) or as the hash alone."""
    parts = text.split()
    if len(parts) == 3 and (table is None or parts[0] == table):
        return parts[2]
    if len(parts) == 1 and len(parts[0]) == 64:
        return parts[0]
    raise ValueError(f"not a ledger digest: {text!r} (expected 'table version chain-hash' or a 64-hex chain hash)")


def extension_problem(ledger: Ledger, table: str, chain_hash: str) -> str | None:
    """None when ``table``'s ledger contains the entry whose hash is ``chain_hash`` (it only grew since); else
    what is wrong, naming the table. The digest of an empty ledger (nothing recorded yet) is extended by any."""
    if chain_hash == GENESIS_HASH:
        return None
    try:
        entries = ledger.entries(table)
    except LedgerCorruptError as error:
        return str(error)
    for entry in reversed(entries):
        if entry["entry_hash"] == chain_hash:
            return None
    return (f"{table}: the ledger does not extend digest {chain_hash[:16]}…: it holds {len(entries)} entries, none "
            "with that chain hash (the ledger was rewritten or replaced since the digest was taken)")


def digest_metadata(digest: LedgerDigest) -> dict[str, str]:
    return {LEDGER_DIGEST: digest.line(), LEDGER_CHAIN_HASH: digest.chain_hash}
