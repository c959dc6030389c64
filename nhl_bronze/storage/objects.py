"""Whole small objects under a root (a local folder or an object-store URI): list, read, create-if-absent.

The ledger is built of immutable objects: written once, never overwritten (a local create uses ``O_EXCL``; on an
object store the create checks for the object first, which two writers can race: the ledger's hash chain then
shows the fork). Local roots are plain paths; URIs go through ``pyarrow.fs`` (credentials and endpoint from the
standard ``AWS_*`` variables).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote

from nhl_bronze import settings
from nhl_bronze.storage.location import is_uri, join_uri


class ObjectExistsError(FileExistsError):
    pass


def object_filesystem(uri: str, storage_options: dict[str, str] | None = None) -> tuple[Any, str]:
    """A ``pyarrow.fs`` filesystem and the path in it for an object-store URI (``s3://bucket/key``; the key is
    taken as it is, spaces included). Options not given here come from the standard ``AWS_*`` variables, which
    pyarrow reads itself."""
    from pyarrow import fs

    scheme, _, rest = uri.partition("://")
    if scheme not in ("s3", "s3a"):
        filesystem, path = fs.FileSystem.from_uri(uri)
        return filesystem, path
    options = {k.upper(): v for k, v in (storage_options or {}).items()}
    arguments: dict[str, Any] = {}
    for option, argument in (("AWS_ACCESS_KEY_ID", "access_key"), ("AWS_SECRET_ACCESS_KEY", "secret_key"),
                             ("AWS_SESSION_TOKEN", "session_token"), ("AWS_REGION", "region"),
                             ("AWS_ENDPOINT_URL", "endpoint_override")):
        if options.get(option):
            arguments[argument] = options[option]
    endpoint = arguments.get("endpoint_override") or settings.env(settings.AWS_ENDPOINT_URL)
    if endpoint:
        arguments["endpoint_override"] = endpoint
    return fs.S3FileSystem(**arguments), unquote(rest)


class ObjectFolder:
    def __init__(self, root: str, storage_options: dict[str, str] | None = None):
        self.root = root
        self.storage_options = storage_options

    def __repr__(self) -> str:
        return f"ObjectFolder({self.root!r})"

    def path(self, name: str) -> str:
        return join_uri(self.root, name)

    def names(self) -> list[str]:
        """The object names directly under the root, sorted (none when the root does not exist)."""
        if not is_uri(self.root):
            return sorted(os.listdir(self.root)) if os.path.isdir(self.root) else []
        from pyarrow import fs

        filesystem, base = object_filesystem(self.root, self.storage_options)
        infos = filesystem.get_file_info(fs.FileSelector(base, allow_not_found=True))
        return sorted(info.base_name for info in infos if info.type == fs.FileType.File)

    def read(self, name: str) -> bytes:
        location = self.path(name)
        if not is_uri(location):
            with open(location, "rb") as handle:
                return handle.read()
        filesystem, path = object_filesystem(location, self.storage_options)
        with filesystem.open_input_stream(path) as stream:
            return stream.read()

    def create(self, name: str, data: bytes) -> None:
        """Write a new object; ``ObjectExistsError`` when one of that name exists (it is left as it was)."""
        location = self.path(name)
        if not is_uri(location):
            os.makedirs(self.root, exist_ok=True)
            try:
                descriptor = os.open(location, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            except FileExistsError as error:
                raise ObjectExistsError(location) from error
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            return
        from pyarrow import fs

        filesystem, path = object_filesystem(location, self.storage_options)
        if filesystem.get_file_info(path).type != fs.FileType.NotFound:
            raise ObjectExistsError(location)
        with filesystem.open_output_stream(path) as stream:
            stream.write(data)
