"""Which staged rows are new versions of their key: a pure function of the staged rows and the latest stored
rows, tested here without any Delta table."""

import polars as pl

from nhl_bronze.storage.history import ROW_HASH, VERSION, content_hash, new_versions

KEY = ["gameId", "team"]


def staged(rows: list[tuple[int, str, int]], **extra: list) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={"gameId": pl.Int64, "team": pl.String, "goals": pl.Int64}, orient="row")
    return frame.with_columns(**{name: pl.Series(values) for name, values in extra.items()})


def stored_as(frame: pl.DataFrame, row_hash: str | None = None) -> pl.DataFrame:
    """``frame`` as the latest stored rows (version 1), with the hash it was stored under."""
    hashes = content_hash(frame) if row_hash is None else pl.Series(ROW_HASH, [row_hash] * frame.height)
    return frame.with_columns(hashes, pl.lit(1, pl.Int32).alias(VERSION))


def keys(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.select(KEY).rows())


def test_every_row_of_a_key_never_stored_is_a_new_version_with_its_hash():
    rows = staged([(1, "TOR", 3), (1, "MTL", 2)])
    new = new_versions(rows, stored_as(rows.clear()), KEY)
    assert keys(new) == [(1, "MTL"), (1, "TOR")]
    assert new[ROW_HASH].str.len_chars().to_list() == [40, 40]  # SHA-1 hex
    assert new[ROW_HASH].n_unique() == 2


def test_rows_equal_to_their_stored_version_are_not_new_and_a_changed_value_is():
    before = staged([(1, "TOR", 3), (1, "MTL", 2), (2, "BOS", 1)])
    now = staged([(1, "TOR", 4), (1, "MTL", 2), (2, "BOS", 1), (3, "NYR", 0)])
    assert keys(new_versions(now, stored_as(before), KEY)) == [(1, "TOR"), (3, "NYR")]
    assert new_versions(before, stored_as(before), KEY).is_empty()


def test_rows_stored_under_another_hash_scheme_are_judged_on_their_values():
    before = staged([(1, "TOR", 3), (1, "MTL", 2)])
    legacy = stored_as(before, row_hash="hash of an older scheme")
    assert new_versions(before, legacy, KEY).is_empty()
    assert keys(new_versions(staged([(1, "TOR", 3), (1, "MTL", 5)]), legacy, KEY)) == [(1, "MTL")]


def test_a_new_column_that_reads_null_is_no_change_and_one_with_a_value_is():
    before = staged([(1, "TOR", 3), (1, "MTL", 2)])
    with_column = staged([(1, "TOR", 3), (1, "MTL", 2)], xGoals=[None, 1.5])
    assert keys(new_versions(with_column, stored_as(before), KEY)) == [(1, "MTL")]


def test_a_column_staging_no_longer_produces_is_ignored():
    before = staged([(1, "TOR", 3)], dropped=[7])
    assert new_versions(staged([(1, "TOR", 3)]), stored_as(before), KEY).is_empty()


def test_a_row_altered_in_place_that_kept_its_hash_is_a_new_version_of_its_true_content():
    true = staged([(1, "TOR", 3), (1, "MTL", 2)])
    altered = stored_as(staged([(1, "TOR", 9), (1, "MTL", 2)])).with_columns(content_hash(true))
    assert keys(new_versions(true, altered, KEY)) == [(1, "TOR")]
