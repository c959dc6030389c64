"""``content_hash`` builds every row's canonical text for the whole frame and hashes it from Arrow buffers. The
hashes stored in history were computed row by row (``row_by_row_hash`` below, the implementation they were
stored under, kept verbatim): every hash must stay identical, or every stored row would read as altered."""

import hashlib
import math

import polars as pl
import pytest

from nhl_bronze.contract import GAMES_HISTORICAL_COLUMNS, PLAYER_GAME_STATS_COLUMNS
from nhl_bronze.stats import compute_game_frames
from nhl_bronze.storage.history import HISTORY_META_COLUMNS, ROW_HASH, content_hash
from nhl_bronze_tests.stats.samples import GAME_IDS, game_input


def row_by_row_hash(frame: pl.DataFrame, exclude: tuple[str, ...] = HISTORY_META_COLUMNS) -> pl.Series:
    """The rows' hashes as history stored them until the vectorised hash (main at 2c50fec)."""
    columns = sorted(c for c in frame.columns if c not in exclude)
    if frame.is_empty():
        return pl.Series(ROW_HASH, [], dtype=pl.String)
    canonical = frame.select(
        pl.concat_str(
            [pl.lit(f"{c}=") + pl.col(c).cast(pl.String) for c in columns], separator="\x1f", ignore_nulls=True
        ).fill_null("").alias("row")
    )["row"]
    return pl.Series(ROW_HASH, [hashlib.sha1(row.encode()).hexdigest() for row in canonical], dtype=pl.String)


def assert_same_hashes(frame: pl.DataFrame) -> None:
    assert content_hash(frame).to_list() == row_by_row_hash(frame).to_list()


@pytest.fixture(scope="module")
def sample_frames() -> list[pl.DataFrame]:
    frames = [compute_game_frames(game_input(game_id)) for game_id in GAME_IDS]
    return [frame for game in frames for frame in (game.players, game.teams)]


def test_every_row_of_the_recorded_games_hashes_as_history_stored_it(sample_frames):
    for frame in sample_frames:
        assert frame.height > 0
        assert_same_hashes(frame)
    players = pl.concat([f for f in sample_frames if f.width == len(PLAYER_GAME_STATS_COLUMNS)])
    assert_same_hashes(players)
    assert_same_hashes(players.slice(17, 40))  # an Arrow offset into the text buffers
    assert_same_hashes(pl.concat([players.slice(0, 9), players.slice(9)], rechunk=False))  # several chunks


def test_rows_of_the_recorded_games_with_holes_and_history_columns_hash_as_before(sample_frames):
    teams = next(f for f in sample_frames if f.width == len(GAMES_HISTORICAL_COLUMNS))
    # every other value of every column nulled, in a different pattern per column: the leading separator moves
    holed = teams.with_row_index("_i").select(
        pl.when((pl.col("_i") + position) % 2 == 0).then(pl.col(c)).alias(c)
        for position, c in enumerate(teams.columns)
    )
    assert holed.null_count().row(0) != (0,) * teams.width
    assert_same_hashes(holed)
    with_meta = holed.with_columns(pl.lit("run").alias("_run_id"), pl.lit(3, pl.Int32).alias("_version"))
    assert content_hash(with_meta).to_list() == row_by_row_hash(holed).to_list()


ADVERSARIAL = pl.DataFrame(
    {
        "a_float": [0.0, -0.0, math.nan, math.inf, -math.inf, 1e308, 5e-324, None, 0.1 + 0.2, -1.5e-7, 123456789.125],
        "b_int32": [0, -0, 2**31 - 1, -(2**31), None, 1, -1, 7, None, 42, 10],
        "c_string": ["", "é", "日本語", "🏒 emoji", "a\x1fb=c", "x=y", None, "\n\t", "\x00", "Ä" * 300, " "],
        "d_date": [None, "1970-01-01", "2010-10-07", "1899-12-31", "2262-04-11", None, "2024-02-29", "0001-01-01",
                   "9999-12-31", "2023-10-01", "2025-06-17"],
        "e_int64": [2**63 - 1, -(2**63), 0, None, 1, 2, 3, 4, 5, 6, 7],
        "f_bool": [True, False, None, True, False, None, True, True, False, False, None],
        "g_uint64": [2**64 - 1, 0, None, 1, 2, 3, 4, 5, 6, 7, 8],
        "h_float32": [1.1, -0.0, None, math.nan, 3.4e38, 1e-45, 0.5, 2.0, 16777217.0, -1.0, 0.0],
        "\u00e9t\u00e9": [None] * 10 + ["unicode column name"],
    },
    schema_overrides={"b_int32": pl.Int32, "g_uint64": pl.UInt64, "h_float32": pl.Float32},
).with_columns(
    pl.col("d_date").str.to_date(),
    pl.col("d_date").str.to_datetime(time_zone="UTC").alias("i_datetime"),
    pl.col("b_int32").cast(pl.Int8, strict=False).alias("j_int8"),
)


def test_adversarial_values_of_every_dtype_hash_as_before():
    assert_same_hashes(ADVERSARIAL)
    for column in ADVERSARIAL.columns:  # each column alone, and each with every other column nulled
        assert_same_hashes(ADVERSARIAL.select(column))
        assert_same_hashes(ADVERSARIAL.select(pl.col(column), *(pl.lit(None, ADVERSARIAL.schema[c]).alias(c)
                                                                 for c in ADVERSARIAL.columns if c != column)))
    assert_same_hashes(ADVERSARIAL.reverse())


def test_a_row_with_every_value_null_hashes_as_the_empty_text():
    empty_sha1 = hashlib.sha1(b"").hexdigest()
    nulls = ADVERSARIAL.clear(3)
    assert content_hash(nulls).to_list() == row_by_row_hash(nulls).to_list() == [empty_sha1] * 3
    assert content_hash(ADVERSARIAL.head(0)).to_list() == []

