"""A content-addressed cache of expensive, pure results: formatted files and check results.

Keys are the sha256 of everything the result depends on, tool versions included (sdkgen,
ruff, openapi-spec-validator), so an entry is never trusted across versions. Entries are
written atomically and read without locks; a missing, unreadable or corrupt entry is a miss.
The directory is `$SDKGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/sdkgen`, else `~/.cache/sdkgen`;
deleting it is always safe. `SDKGEN_CACHE_DIR=off` (or `--no-cache`) disables it. It is bounded
(`SDKGEN_CACHE_MAX_MB`, default 256): a run that wrote to it evicts the least recently used
entries beyond the bound.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import shutil
import tempfile
import time
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


DEFAULT_MAX_MB = 256
STALE_TMP_SECONDS = 3600  # a `.tmp-*` file this old belongs to a run that was killed


def max_bytes() -> int:
    """The cache's size bound: `SDKGEN_CACHE_MAX_MB` (default 256)."""
    try:
        megabytes = float(os.environ.get("SDKGEN_CACHE_MAX_MB") or DEFAULT_MAX_MB)
    except ValueError:  # not a number: the default
        megabytes = DEFAULT_MAX_MB
    return max(0, int(megabytes * 1024 * 1024))


class Cache:
    """`root=None` is a cache that never hits and never writes. Reads mark an entry as used
    (its mtime), so `trim` evicts the least recently used entries first."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.wrote = False

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
        except OSError:  # absent, unreadable, a directory: `put` replaces it
            return None
        digest, _, value = raw.partition(b"\n")
        if not raw or hashlib.sha256(value).hexdigest().encode() != digest:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # type: ignore[arg-type]  # path is set when raw is not empty
        return value.decode("utf-8")

    def put(self, namespace: str, value: str, *parts: str) -> None:
        """Store `value`; a damaged entry in its place (a directory, say) is replaced. Errors
        only cost speed: a read-only or full cache directory is skipped."""
        path = self._path(namespace, parts)
        if path is None:
            return
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            data = value.encode("utf-8")
            with os.fdopen(fd, "wb") as handle:
                handle.write(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            os.replace(tmp, path)
            tmp = None
            self.wrote = True
        except OSError:
            return
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def trim(self) -> None:
        """Evict the least recently used entries until the cache holds at most `max_bytes()`,
        and remove the temporary files that killed runs left behind."""
        if self.root is None:
            return
        limit = max_bytes()
        now = time.time()
        entries = []
        for path in self.root.glob("*/*/*"):
            try:
                stat = path.lstat()
            except OSError:
                continue
            if path.name.startswith(".tmp-") or path.name.endswith(".tmp"):  # ours, Jinja2's
                if now - stat.st_mtime > STALE_TMP_SECONDS:
                    with contextlib.suppress(OSError):
                        path.unlink()
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                total -= size
