"""Games -> rows: the statistics and the boxscore parity of a fetched window, in-process or in a process pool.

``parse_games`` is pure and picklable (it runs in a worker process). Every game is guarded on its own: a game
whose statistics or boxscore totals cannot be read becomes a ``GameFetchError`` of its date and has no rows.

The pool is started with the ``spawn`` context, never ``fork``: deltalake (tokio threads) panics in a forked
child. Workers are only worth their start-up (~1-2 s to import polars and the parser) for windows of more than
one week; a daily run parses in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

import polars as pl

from nhl_bronze.client.errors import GameFetchError
from nhl_bronze.client.window import FetchedGame, WindowFetch
from nhl_bronze.stats import GameFrames, GameInput, GameParseError, compute_batch
from nhl_bronze.stats.batch.decode import gc_paused
from nhl_bronze.stats.batch.guard import decoded_body
from nhl_bronze.stats.parity import boxscore_totals, parity_mismatches, totals_frame


@dataclass(frozen=True)
class ParsedGames:
    frames: GameFrames  # rows of the good games only
    failures: list[GameFetchError]  # games with no rows: statistics or boxscore totals unreadable
    parity_mismatches: list[str]  # good games whose rows disagree with their boxscore totals
    # good games whose shift chart broke the on-ice rules and was repaired by the documented best-effort rule
    repaired_charts: list[str] = field(default_factory=list)


def parse_games(games: Sequence[FetchedGame]) -> ParsedGames:
    """The rows, failures and boxscore parity of ``games`` (computed in one batch).

    Bodies go to the statistics as they came (JSON bytes from the API or the raw store, dicts from tests): the
    batch decodes them itself, in this process (a worker, when pooled), and a body that is not JSON fails its
    game only. The cyclic garbage collector is paused meanwhile (``decode.gc_paused``: the boxscores decoded
    again for the parity are a few hundred dicts each).
    """
    with gc_paused():
        return _parse_games(games)


def _parse_games(games: Sequence[FetchedGame]) -> ParsedGames:
    inputs = [GameInput(g.game_date, g.schedule_game, g.play_by_play, g.boxscore, g.shift_chart) for g in games]
    result = compute_batch(inputs)
    game_of = {id(game_input): game for game_input, game in zip(inputs, games, strict=True)}
    failures = [_failure(game_of[id(game_input)], "statistics", error) for game_input, error in result.failures]
    failed_ids = {failure.game_id for failure in failures}
    totals = []
    for game in games:
        if game.game_id in failed_ids:
            continue
        try:
            # decoded again (a boxscore is small): the batch keeps no decoded bodies alive
            totals += boxscore_totals(game.game_id, decoded_body(game.game_id, "boxscore", game.boxscore))
        except GameParseError as error:
            failures.append(_failure(game, "boxscore parity", error))
    frames = _without_games(result.frames, {f.game_id for f in failures} - failed_ids)
    failed_ids |= {f.game_id for f in failures}
    repaired = [f"game {game_of[id(game_input)].game_id} ({game_of[id(game_input)].game_date}): {note}"
                for game_input, note in result.repaired_charts if game_of[id(game_input)].game_id not in failed_ids]
    return ParsedGames(frames, failures, parity_mismatches(totals_frame(totals), frames.players, frames.teams),
                       repaired)


class WindowReader(Protocol):
    """A picklable source of windows that a worker reads itself (``source.RawWindowReader``)."""

    def fetch(self, start: date, end: date) -> WindowFetch: ...


class WindowReadError(RuntimeError):
    """A worker could not read its window; the message names the dates and the reader (never its credentials)."""


def fetch_and_parse(reader: WindowReader, start: date, end: date) -> tuple[WindowFetch, ParsedGames]:
    """Read a window and parse its games here (in a worker): only its rows and facts go back, not its bodies."""
    try:
        window = reader.fetch(start, end)
    except Exception as error:  # crosses the process boundary as its message: say which window and store
        raise WindowReadError(f"reading game dates {start}..{end - timedelta(days=1)} from {reader!r} failed: "
                              f"{error}") from error
    parsed = parse_games(window.games)
    # A game whose rows carry shift-derived values had a chart listing shifts; only the others' charts are read
    # again for their status (a chart is ~0.3 MB; reading its status cost ~0.5-0.8 ms a game, measured).
    with_shifts = parsed.frames.players.filter(pl.col("shifts").is_not_null())["gameId"].unique().to_list()
    return window.without_bodies(set(with_shifts)), parsed


def _failure(game: FetchedGame, step: str, error: Exception) -> GameFetchError:
    return GameFetchError(game.game_id, game.game_date, step, "", str(error))


def _without_games(frames: GameFrames, game_ids: set[int]) -> GameFrames:
    if not game_ids:
        return frames
    keep = ~pl.col("gameId").is_in(list(game_ids))
    return GameFrames(frames.players.filter(keep), frames.teams.filter(keep))


def concat_parsed(parts: Sequence[ParsedGames]) -> ParsedGames:
    """One ``ParsedGames`` of consecutive parts, in their order (the same as parsing them as one batch)."""
    if len(parts) == 1:
        return parts[0]
    return ParsedGames(
        GameFrames(pl.concat([p.frames.players for p in parts]), pl.concat([p.frames.teams for p in parts])),
        [failure for p in parts for failure in p.failures],
        [mismatch for p in parts for mismatch in p.parity_mismatches],
        [repair for p in parts for repair in p.repaired_charts],
    )


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class PendingParse:
    """The parse of one window, possibly still running in the pool as consecutive parts."""

    def __init__(self, parts: list[Future[ParsedGames] | ParsedGames]):
        self._parts = parts

    def result(self) -> ParsedGames:
        return concat_parsed([p.result() if isinstance(p, Future) else p for p in self._parts])


# The pool already runs one worker per core: polars' own thread pool in each worker (one thread per core, sized
# when polars is imported) only oversubscribes the cores. One polars thread per worker made the raw rebuild ~7%
# faster (one season, 2 cores, alternated pairs). A value the user set is kept.
POLARS_THREADS = "POLARS_MAX_THREADS"
WORKER_POLARS_THREADS = "1"


class GameParser:
    """Parses windows in-process (``workers == 1``) or spread over a spawn-context process pool."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._pool: Executor | None = None
        self._set_polars_threads = False
        if self.workers > 1:
            # Workers start on demand and copy this process's environment then; polars in this process read the
            # variable at import already, so it is unaffected. Removed again in close().
            self._set_polars_threads = POLARS_THREADS not in os.environ
            os.environ.setdefault(POLARS_THREADS, WORKER_POLARS_THREADS)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    @property
    def pooled(self) -> bool:
        return self._pool is not None

    def submit_window(self, reader: WindowReader, start: date, end: date) -> Future[tuple[WindowFetch, ParsedGames]]:
        """Start reading and parsing a window in one worker (``pooled`` parsers only)."""
        if self._pool is None:
            raise RuntimeError("submit_window needs a process pool: parse in-process with fetch + submit")
        return self._pool.submit(fetch_and_parse, reader, start, end)

    def submit(self, games: Sequence[FetchedGame]) -> PendingParse:
        """Start parsing ``games``: in-process now, or split across the pool's workers."""
        if self._pool is None or len(games) < 2:
            return PendingParse([parse_games(games)])
        size = -(-len(games) // min(self.workers, len(games)))
        return PendingParse([self._pool.submit(parse_games, games[i:i + size]) for i in range(0, len(games), size)])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._set_polars_threads:
            os.environ.pop(POLARS_THREADS, None)
            self._set_polars_threads = False


@contextmanager
def game_parser(workers: int, window_days: int, min_pooled_days: int) -> Iterator[GameParser]:
    """A parser for a window: pooled only when the window is long enough to repay the workers' start-up."""
    parser = GameParser(workers if window_days >= min_pooled_days else 1)
    try:
        yield parser
    finally:
        parser.close()
