"""Real servers for the tests (PostgreSQL, S3 via moto), started by session fixtures."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip a test whose server cannot be had here, but fail in CI: there the server is part of the contract
    (.ci/run installs it), so its tests must never silently vanish."""
    if in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def require_module(name: str, install_hint: str) -> None:
    """``pytest.importorskip`` that fails instead of skipping in CI."""
    import importlib.util

    if importlib.util.find_spec(name) is None:
        unavailable(f"{name} is not installed ({install_hint})")
