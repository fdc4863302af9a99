"""Where a `$ref` may lead, and reading what it leads to: the safety rule of `bundle.py`.

A document's references may reach only files inside the entry file's directory tree, after
symlinks are resolved (`os.path.realpath`, which applies each `..` after the symlink before it,
as the kernel does): an absolute path, a `..` that climbs out, or a symlink pointing out is
refused with SDK010, and so is every URL scheme but http(s). An http(s) URL is followed only
under a prefix the user allowed by name (`--allow-url`, `allow-urls` in `[tool.sdkgen]`), and so
are the redirects it answers with; for an entry given as a URL, its own directory plays the part
of the tree. Only regular files are read (never a FIFO or a device), each within
`load.MAX_BYTES`, the whole tree within `MAX_TREE_BYTES` and `MAX_FILES` files.

Deliberately left out: a file swapped for a symlink between the check and the read (the tree is
the user's own checkout; the check guards against what a document says, not a racing attacker).
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from generator import load

MAX_FILES = 10_000
MAX_TREE_BYTES = 4 * load.MAX_BYTES


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    key: str  # identity: a POSIX path relative to the tree's root, or an absolute URL
    display: str  # how diagnostics name it: the entry as the user gave it, the others beside it
    location: str  # the real path, or the URL: what relative references resolve against

    @property
    def is_url(self) -> bool:
        return load.is_url(self.location)


class Refused(Exception):
    """A reference that may not be followed (SDK010, `message` completes "$ref '...' "), or
    a file that cannot be read (`message` says which); reported at the `$ref` that named it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_prefix(prefix: str) -> str | None:
    """Why `prefix` cannot be an allowed URL prefix, or None when it can."""
    parts = urlsplit(prefix)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{prefix!r} is not an http(s) URL prefix with a host"
    if "@" in parts.netloc:
        return f"{prefix!r} carries user information"
    return None


class Tree:
    """The entry file, its directory tree and the URL prefixes the user allowed."""

    def __init__(self, entry: str, allowed_urls: Sequence[str] = ()) -> None:
        self.allowed = tuple(allowed_urls)
        self.files = 0
        self.bytes = 0
        if load.is_url(entry):
            self.root = urljoin(entry, ".")
            self._display_dir = ""
            self.entry = Source(entry[len(self.root) :] or entry, entry, entry)
        else:
            real = os.path.realpath(entry)
            self.root = os.path.dirname(real)
            self._display_dir = posixpath.dirname(entry.replace(os.sep, "/"))
            self.entry = Source(os.path.basename(real), entry, real)

    def resolve(self, referrer: Source, target: str) -> Source:
        """The file that `target` (a `$ref` without its fragment) names, seen from `referrer`."""
        parts = urlsplit(target)
        if referrer.is_url:
            return self._url(urljoin(referrer.location, target))
        if parts.scheme.lower() in ("http", "https"):
            return self._url(target)
        if parts.scheme or parts.netloc:
            raise Refused("SDK010", "is neither a relative path nor an http(s) URL")
        path = unquote(parts.path)
        if "\x00" in path or path.startswith("/"):
            raise Refused("SDK010", "is an absolute path")
        real = os.path.realpath(os.path.join(os.path.dirname(referrer.location), path))
        if os.path.commonpath([self.root, real]) != self.root:
            how = "through a symlink " if _lexically_inside(referrer, path, self.root) else ""
            raise Refused("SDK010", f"leads {how}out of the entry file's directory tree")
        key = os.path.relpath(real, self.root).replace(os.sep, "/")
        display = posixpath.normpath(posixpath.join(self._display_dir, key))
        return Source(key, display, real)

    def check_url(self, url: str) -> None:
        """Refused unless a reference could lead to `url`."""
        self._url(url)

    def _url(self, url: str) -> Source:
        url = urldefrag(url).url
        parts = urlsplit(url)
        if ".." in unquote(parts.path).split("/") or "@" in parts.netloc:
            raise Refused("SDK010", "is a URL with '..' or user information")
        if self.root and load.is_url(self.root) and _under(url, self.root):
            return Source(url[len(self.root) :], url, url)
        if any(_under(url, prefix) for prefix in self.allowed):
            return Source(url, url, url)
        raise Refused("SDK010", f"is a URL not allowed ({url}; allow a prefix with --allow-url)")

    def read(self, source: Source) -> bytes:
        """The bytes of a file of the tree, within the limits."""
        self.files += 1
        if self.files > MAX_FILES:
            raise Refused("SDK001", f"the document has more than {MAX_FILES} files")
        raw = self._fetch(source.location) if source.is_url else _read_file(source.location)
        self.bytes += len(raw)
        if self.bytes > MAX_TREE_BYTES:
            raise Refused("SDK001", f"the document's files exceed {MAX_TREE_BYTES} bytes")
        return raw

    def _fetch(self, url: str) -> bytes:
        opener = urllib.request.build_opener(_Redirects(self))
        request = urllib.request.Request(url, headers={"User-Agent": "sdkgen"})
        try:
            with opener.open(request, timeout=load.URL_TIMEOUT) as response:
                body: bytes = response.read(load.MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise Refused("SDK002", f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Refused("SDK002", f"{url}: cannot download: {reason}") from None
        if len(body) > load.MAX_BYTES:
            raise Refused("SDK001", f"{url} exceeds the limit of {load.MAX_BYTES} bytes")
        return body


class _Redirects(urllib.request.HTTPRedirectHandler):
    """A redirect is followed only to where a reference could lead."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    def redirect_request(self, *args: Any) -> urllib.request.Request | None:
        newurl = args[-1]  # (req, fp, code, msg, headers, newurl), fixed by urllib
        self.tree.check_url(newurl)
        return super().redirect_request(*args)


def _under(url: str, prefix: str) -> bool:
    """`url` lies under `prefix`, at a path boundary (`https://a.example` is no prefix of
    `https://a.example.evil`)."""
    if not url.startswith(prefix):
        return False
    return prefix.endswith("/") or url[len(prefix) : len(prefix) + 1] in ("", "/", "?")


def _lexically_inside(referrer: Source, path: str, root: str) -> bool:
    joined = os.path.normpath(os.path.join(os.path.dirname(referrer.location), path))
    return os.path.commonpath([root, joined]) == root


def _read_file(path: str) -> bytes:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("SDK001", f"{_name(path)} is not a regular file")
        if info.st_size > load.MAX_BYTES:
            raise Refused("SDK001", f"{_name(path)} is over the limit of {load.MAX_BYTES} bytes")
        with open(path, "rb") as handle:
            return handle.read(load.MAX_BYTES + 1)
    except FileNotFoundError:
        raise Refused("SDK001", f"no such file: {_name(path)}") from None
    except OSError as exc:
        raise Refused("SDK001", f"cannot read {_name(path)}: {exc.strerror}") from None


def _name(path: str) -> str:
    return os.path.basename(path)
