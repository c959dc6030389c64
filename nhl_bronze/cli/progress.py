"""Progress lines on stderr (stdout stays for the result, e.g. ``--json``), with the seconds elapsed."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def progress_printer(quiet: bool = False) -> Callable[[str], None]:
    started = time.monotonic()

    def progress(message: str) -> None:
        if not quiet:
            print(f"[{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    return progress
