"""Stage 7, write: the only stage with side effects.

The whole tree is written into a temporary directory beside the target, then swapped in with
renames, so a failure leaves the previous output untouched. An existing target is replaced only
if sdkgen made it (it holds the marker file) or it is empty: sdkgen never deletes a directory it
did not create. `compare` is the read-only twin used by `--check`.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from generator.diagnostics import Fatal, error

MARKER = ".sdkgen"  # the file that says sdkgen made (and may replace) a directory


def _safe(rel: PurePosixPath) -> PurePosixPath:
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise Fatal(
            [error("SDK901", "#", f"refusing to write {str(rel)!r} outside the output directory")]
        )
    return rel


def _check_replaceable(out: Path) -> None:
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise Fatal(
            [error("SDK902", "#", f"{out} exists and is not a directory; refusing to replace it")]
        )
    if not (out / MARKER).is_file() and any(out.iterdir()):
        message = (
            f"{out} exists and was not made by sdkgen (no {MARKER} marker); refusing to replace it"
        )
        raise Fatal([error("SDK902", "#", message)])


def write(files: dict[PurePosixPath, str], out: Path) -> None:
    _check_replaceable(out)
    try:
        _write(files, out)
    except OSError as exc:  # a full disk, a read-only or missing parent, a file in the way
        where = exc.filename or out
        message = f"cannot write {where}: {exc.strerror or exc}; the previous output is untouched"
        raise Fatal([error("SDK903", "#", message)]) from None


def _write(files: dict[PurePosixPath, str], out: Path) -> None:
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        for rel, text in sorted(files.items()):
            target = staging / _safe(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def unified_diff(files: dict[PurePosixPath, str], out: Path, rel: str) -> str:
    """The unified diff of one file, from the tree on disk to what would be written."""
    on_disk = out / rel
    old = on_disk.read_text(encoding="utf-8", errors="replace") if on_disk.is_file() else ""
    new = files.get(PurePosixPath(rel), "")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
    )
    return "".join(lines)


def compare(files: dict[PurePosixPath, str], out: Path) -> tuple[list[str], list[str], list[str]]:
    """(added, removed, changed) relative paths, comparing `files` with the tree at `out`."""
    on_disk = {
        PurePosixPath(p.relative_to(out).as_posix())
        for p in (out.rglob("*") if out.is_dir() else ())
        if p.is_file() and "__pycache__" not in p.parts
    }
    added = sorted(str(p) for p in files.keys() - on_disk)
    removed = sorted(str(p) for p in on_disk - files.keys())
    changed = sorted(
        str(p) for p in files.keys() & on_disk if (out / p).read_bytes() != files[p].encode("utf-8")
    )
    return added, removed, changed
