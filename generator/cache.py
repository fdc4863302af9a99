"""A content-addressed cache of expensive, pure results: formatted files and check results.

Keys are the sha256 of everything the result depends on, tool versions included (sdkgen,
ruff, openapi-spec-validator), so an entry is never trusted across versions. Entries are
written atomically and read without locks; a missing, unreadable or corrupt entry is a miss.
The directory is `$SDKGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/sdkgen`, else `~/.cache/sdkgen`;
deleting it is always safe. `SDKGEN_CACHE_DIR=off` (or `--no-cache`) disables it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

from generator import __version__, templates_dir

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint() -> str:
    """sdkgen's version and a digest of its own code and templates: an edited checkout is a
    new version as far as the cache is concerned."""
    digest = hashlib.sha256(__version__.encode())
    for root in (_PACKAGE, templates_dir()):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja"):
                digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def installed_version(package: str) -> str:
    """The version of the installed distribution whose import package is `package`, read from
    the `package-VERSION.dist-info` directory beside it (importing importlib.metadata costs
    30 ms); from importlib.metadata when there is not exactly one such directory."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if locations:
        found = list(Path(locations[0]).parent.glob(f"{package}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(package) + 1 : -len(".dist-info")]
    from importlib.metadata import version

    return version(package)


def default_root() -> Path | None:
    configured = os.environ.get("SDKGEN_CACHE_DIR", "")
    if configured.lower() in ("off", "0", "none"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sdkgen"


class Cache:
    """`root=None` is a cache that never hits and never writes."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, namespace: str, parts: tuple[str, ...]) -> Path | None:
        if self.root is None:
            return None
        digest = hashlib.sha256("\0".join((code_fingerprint(), *parts)).encode()).hexdigest()
        return self.root / namespace / digest[:2] / digest[2:]

    def get(self, namespace: str, *parts: str) -> str | None:
        """The value stored under `parts`, or None (a miss) when absent or damaged: each entry
        starts with the sha256 of its value, checked on every read."""
        path = self._path(namespace, parts)
        try:
            raw = path.read_bytes() if path is not None else b""
        except OSError:
            return None
        digest, _, value = raw.partition(b"\n")
        if not raw or hashlib.sha256(value).hexdigest().encode() != digest:
            return None
        return value.decode("utf-8")

    def put(self, namespace: str, value: str, *parts: str) -> None:
        path = self._path(namespace, parts)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            data = value.encode("utf-8")
            with os.fdopen(fd, "wb") as handle:
                handle.write(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
            os.replace(tmp, path)
        except OSError:  # a read-only or full cache directory only costs speed
            return
