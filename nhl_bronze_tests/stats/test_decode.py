"""The helpers the typed decoders share: clock strings read while columns are gathered, the paused collector."""

from __future__ import annotations

import gc

import polars as pl
import pytest

from nhl_bronze.stats.batch.decode import clock_column, gc_paused
from nhl_bronze.stats.clock import clock_seconds_expr

CLOCKS = ["05:45", "0:00", "20:00", "123:45", "1234567:00", "12345678:00", "5:7", "05:75", "\u0661\u0662:\u0663\u0664",
          "+5:00", " 5:00", "5:00\n", "5:00 ", "", ":00", "5:", "05-45", None]


def test_clock_column_reads_exactly_what_the_clock_expression_reads():
    clocks = pl.DataFrame({"clock": CLOCKS}, schema={"clock": pl.String})
    expected = clocks.select(clock_seconds_expr("clock").alias("seconds"))
    assert clock_column(CLOCKS) == expected["seconds"].to_list()
    assert clock_column(CLOCKS) == clock_column(CLOCKS)  # the second pass reads from the cache


def test_clock_column_values():
    assert clock_column(["05:45", "0:00", "123:45", "05:75"]) == [345, 0, 7425, 375]
    assert clock_column(["5:7", "٠١:٢٣", "+5:00", "5:00\n", None]) == [None] * 5


def test_gc_paused_resumes_the_collector_even_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_gc_paused_leaves_a_collector_the_caller_paused_paused():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
