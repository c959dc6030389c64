"""Where a table lives: a table root is a local directory or an object-store URI, and tables are joined onto it
as URIs (``s3://bucket/prefix/T``) or plain paths (``/data dir/x=1/T``), never through ``pathlib`` on a URI.

A local root is kept as a plain path: a space stays a space and a ``=`` stays a ``=`` (no URL-encoding, no
guessing of hive partitions from the folders above the table; see ``nhl_bronze.storage.scan``).
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

_FILE_SCHEME = "file://"


def is_uri(root: str) -> bool:
    return "://" in root


def normalize_root(root: str | os.PathLike[str]) -> str:
    """A local root becomes an absolute path (``file://`` URIs included); an object-store URI loses its
    trailing slash."""
    text = os.fspath(root)
    if text.startswith(_FILE_SCHEME):
        return os.path.abspath(unquote(urlparse(text).path))
    if is_uri(text):
        return text.rstrip("/")
    return os.path.abspath(os.path.expanduser(text))


def join_uri(root: str, name: str) -> str:
    """``root`` (already normalized) joined with one table name."""
    return f"{root}/{name}" if is_uri(root) else os.path.join(root, name)


def local_file_path(file_uri: str) -> str:
    """A data file URI as deltalake reports it (percent-encoded, maybe ``file://``) as a plain local path."""
    return unquote(file_uri.removeprefix(_FILE_SCHEME))


def folder_keys(table_location: str) -> list[str]:
    """Names that a hive-style reader would take from ``k=v`` folders in the table's own location.

    They are not columns of the table: the scan declares them (so the reader accepts the path) and drops them.
    """
    path = urlparse(table_location).path if is_uri(table_location) else table_location
    return [part.split("=", 1)[0] for part in path.split("/") if "=" in part]
