"""Stage 7, write: the only stage with side effects, and the only code that touches the output.

Ownership. The manifest `.sdkgen` lists every file sdkgen wrote into the output directory, with
its sha256. sdkgen creates, replaces and deletes those files and no other: `.git`, a changelog,
a user's module beside the generated ones are never moved, replaced or deleted. A directory
without a valid manifest is not sdkgen's (unless it is empty). A file the manifest lists whose
digest changed was edited by hand: it is not overwritten (nor removed) without
`discard_edits`. A file sdkgen did not write that sits where a generated file goes stops the
run, unless it already holds exactly the generated text.

Crash safety. The new files are staged inside the output directory (`.sdkgen.new/`, so the
renames never cross a file system); then a journal naming every replacement and removal is
written atomically, the staged files are renamed over the old ones one by one (each rename is
atomic), the manifest last, and the journal is deleted. A run killed before the journal exists
leaves the output untouched (the next run deletes the staging directory); one killed after it
leaves each file old or new, and the next run completes the journal first. SIGINT and SIGTERM
are held back while the journal is carried out. Power loss is covered as far as fsync is: the
staged files and the journal are synced before they are used.

Concurrency. Runs that write the same output take an OS lock on `.NAME.sdkgen-lock` beside it
(it stays there, empty), waiting up to `SDKGEN_LOCK_TIMEOUT` seconds (default 120). `compare`
(for `--check`) takes it too, when it can, and never writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import errno
import hashlib
import json
import os
import shutil
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from generator.diagnostics import Diagnostic, Fatal, error, info

MANIFEST = ".sdkgen"  # the manifest: which files sdkgen wrote here, and their sha256
STAGING = ".sdkgen.new"  # the next version of the files, while a run writes them
JOURNAL = ".sdkgen.journal"  # what an interrupted run still has to do
_LEFTOVERS = frozenset({STAGING, JOURNAL, JOURNAL + ".tmp"})  # of a run that was interrupted
RESERVED = _LEFTOVERS | {MANIFEST}
FORMAT = 2  # of the manifest and the journal
DEFAULT_LOCK_TIMEOUT = 120.0

Owned = dict[PurePosixPath, str | None]  # path -> sha256 when written (None: not recorded)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(files: dict[PurePosixPath, str], **provenance: object) -> str:
    """The manifest of `files` (the manifest itself not among them), with the provenance."""
    digests = {str(path): sha256(text.encode("utf-8")) for path, text in sorted(files.items())}
    body = {"format": FORMAT, "generator": "sdkgen", **provenance, "files": digests}
    return json.dumps(body, indent=2) + "\n"


# --- what is on disk ----------------------------------------------------------------------------


def _refuse(code: str, message: str) -> Fatal:
    return Fatal([error(code, "#", message)])


def _unsafe(name: str) -> bool:
    """A relative path that stays inside the output, in its one normal spelling, or not."""
    path = PurePosixPath(name)
    return (
        path.is_absolute() or not path.parts or ".." in path.parts or name != str(path)
    ) or "\\" in name


def _safe(rel: PurePosixPath) -> PurePosixPath:
    if _unsafe(str(rel)):
        raise _refuse("SDK901", f"refusing to write {str(rel)!r} outside the output directory")
    return rel


def _check_target(out: Path) -> None:
    if out.is_symlink():
        raise _refuse("SDK902", f"{out} is a symbolic link; refusing to write through it")
    if out.exists() and not out.is_dir():
        raise _refuse("SDK902", f"{out} is a file, not a directory; refusing to replace it")


def _parse_manifest(raw: bytes, generated: set[PurePosixPath], out: Path) -> Owned | None:
    """The files a manifest lists, or None when it is not a manifest sdkgen wrote. The
    marker of sdkgen before manifests (no file list) owns the files generated now that exist."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("generator") != "sdkgen":
        return None
    if set(data) == {"generator", "version", "spec_sha256"}:  # before format 2
        return {p: None for p in sorted(generated) if (out / p).is_file()}
    files = data.get("files")
    if data.get("format") != FORMAT or not isinstance(files, dict):
        return None
    owned: Owned = {}
    for name, digest in files.items():
        if _unsafe(name) or PurePosixPath(name).parts[0] in RESERVED or not _is_digest(digest):
            return None
        owned[PurePosixPath(name)] = digest
    return owned


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= set("0123456789abcdef")


def _owned(out: Path, generated: set[PurePosixPath]) -> Owned:
    """What the manifest in `out` says sdkgen wrote; refuses a directory that is not sdkgen's."""
    if not out.exists():
        return {}
    marker = out / MANIFEST
    if marker.is_file() and not marker.is_symlink():
        owned = _parse_manifest(marker.read_bytes(), generated, out)
        if owned is not None:
            return owned
        problem = f"its {MANIFEST} is not a manifest sdkgen wrote"
    else:
        problem = f"it holds no {MANIFEST} manifest"
    if any(entry.name not in _LEFTOVERS for entry in out.iterdir()):
        raise _refuse("SDK902", f"{out} was not made by sdkgen ({problem}); refusing to write")
    return {}


def _digest_on_disk(path: Path) -> str | None:
    """The sha256 of a regular file; None when there is nothing there; '' when what is there
    is not a regular file (a directory, a symbolic link)."""
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        return ""
    return sha256(path.read_bytes())


def _no_symlink_on_the_way(out: Path, rel: PurePosixPath) -> None:
    here = out
    for part in rel.parts[:-1]:
        here = here / part
        if here.is_symlink():
            raise _refuse("SDK901", f"{here} is a symbolic link; sdkgen writes only inside {out}")


# --- the plan -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """What a run does to the output, and what stands in its way."""

    write: tuple[PurePosixPath, ...]  # generated files that are missing or differ
    remove: dict[PurePosixPath, str]  # files sdkgen wrote before and no longer generates
    edited: tuple[PurePosixPath, ...]  # of those two, the ones edited by hand
    in_the_way: tuple[PurePosixPath, ...]  # files sdkgen did not write, where it would write
    legacy: bool  # the output holds a marker without a file list


def plan(files: dict[PurePosixPath, str], out: Path, owned: Owned) -> Plan:
    write, edited, in_the_way = [], [], []
    remove: dict[PurePosixPath, str] = {}
    for rel in sorted(files):
        _no_symlink_on_the_way(out, _safe(rel))
        on_disk = _digest_on_disk(out / rel)
        new = sha256(files[rel].encode("utf-8"))
        if on_disk == new:
            continue
        write.append(rel)
        if on_disk is None or rel == PurePosixPath(MANIFEST):
            continue
        if rel not in owned or on_disk == "":
            in_the_way.append(rel)
        elif owned[rel] not in (None, on_disk):
            edited.append(rel)
    for rel in sorted(owned.keys() - files.keys()):
        _no_symlink_on_the_way(out, rel)
        on_disk = _digest_on_disk(out / rel)
        if on_disk is None or on_disk == "":
            continue
        remove[rel] = on_disk
        if owned[rel] not in (None, on_disk):
            edited.append(rel)
    legacy = bool(owned) and all(d is None for d in owned.values())
    return Plan(tuple(write), remove, tuple(sorted(edited)), tuple(in_the_way), legacy)


def foreign(files: dict[PurePosixPath, str], out: Path, owned: Owned) -> list[str]:
    """The files and directories in `out` that sdkgen did not write (a directory holding none
    of its files is one entry, `name/`, not walked)."""
    known = set(files) | set(owned)
    ancestors = {parent for path in known for parent in path.parents}
    found: list[str] = []
    for directory in sorted(ancestors):
        try:
            entries = sorted((out / directory).iterdir())
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            rel = directory / entry.name
            if rel in known or rel in ancestors or str(rel) in RESERVED:
                continue
            found.append(f"{rel}/" if entry.is_dir() and not entry.is_symlink() else str(rel))
    return found


# --- writing ------------------------------------------------------------------------------------


def write(files: dict[PurePosixPath, str], out: Path, *, discard_edits: bool) -> list[Diagnostic]:
    """Make the generated files in `out` those of `files`, touching nothing else; the notes
    say what was done besides."""
    out = Path(os.path.abspath(out))
    _check_target(out)
    try:
        with _locked(out, required=True):
            notes = _recover(out)
            owned = _owned(out, set(files))
            todo = plan(files, out, owned)
            _refuse_losses(todo, out, discard_edits=discard_edits)
            if todo.write or todo.remove:
                _stage(files, out, todo)
                _commit(out, todo)
    except OSError as exc:
        raise _os_error(exc, out) from None
    if todo.legacy:
        notes.append(info("SDK907", "#", f"{out}: the marker became a manifest of its files"))
    return notes


def _refuse_losses(todo: Plan, out: Path, *, discard_edits: bool) -> None:
    found = [
        error(
            "SDK905",
            "#",
            f"{out / rel} was not written by sdkgen and is where a generated file goes; "
            "move it away (sdkgen never replaces a file it did not write)",
        )
        for rel in todo.in_the_way
    ]
    if not discard_edits:
        found += [
            error(
                "SDK904",
                "#",
                f"{out / rel} was edited by hand since sdkgen wrote it; "
                "pass --discard-edits to overwrite it (or move the change into an overlay)",
            )
            for rel in todo.edited
        ]
    if found:
        raise Fatal(found)


def _os_error(exc: OSError, out: Path) -> Fatal:
    """SDK903, saying truly what state the output is in."""
    where = exc.filename or out
    state = "the previous output is untouched"
    if (out / JOURNAL).exists():  # the commit failed and so did putting the old files back
        state = "the output is partly updated (each file old or new); the next run completes it"
    return _refuse("SDK903", f"cannot write {where}: {exc.strerror or exc}; {state}")


def _stage(files: dict[PurePosixPath, str], out: Path, todo: Plan) -> None:
    """The new files into `.sdkgen.new/new/`, synced; hard links to the files they replace or
    remove into `.sdkgen.new/old/`, so a failed commit can put them back."""
    staging = out / STAGING
    created = not out.exists()
    try:
        out.mkdir(exist_ok=True)  # its parent exists: the lock is there
        staging.mkdir()
        for rel in todo.write:
            target = staging / "new" / rel
            _make_parent(target)
            try:
                _write_synced(target, files[rel].encode("utf-8"))
            except OSError as exc:  # a failed write names no file: name the one it was for
                exc.filename = exc.filename or str(out / rel)
                raise
        for rel in (*todo.write, *todo.remove):
            if (out / rel).is_file():
                backup = staging / "old" / rel
                _make_parent(backup)
                _link_or_copy(out / rel, backup)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()
        raise


def _write_synced(path: Path, data: bytes) -> None:
    """Write `data` to `path` and sync it before anything relies on it."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        shutil.copy2(source, target)  # a file system without hard links


def _commit(out: Path, todo: Plan) -> None:
    """Write the journal, then carry it out; SIGINT and SIGTERM wait until it is done. An OS
    error on the way puts the old files back; a kill leaves the journal to the next run."""
    last = sorted(todo.write, key=lambda p: p == PurePosixPath(MANIFEST))  # the manifest last
    journal = {
        "format": FORMAT,
        "write": [str(p) for p in last],
        "remove": {str(p): digest for p, digest in todo.remove.items()},
    }
    with _signals_held():
        tmp = out / (JOURNAL + ".tmp")
        try:
            _write_synced(tmp, json.dumps(journal).encode("utf-8"))
            tmp.replace(out / JOURNAL)
        except BaseException:  # nothing was changed yet: no journal, no staging
            tmp.unlink(missing_ok=True)
            shutil.rmtree(out / STAGING, ignore_errors=True)
            raise
        try:
            _carry_out(out, journal)
        except OSError:
            _roll_back(out, journal)  # when this fails too, the journal stays for the next run
            raise


def _carry_out(out: Path, journal: dict[str, Any]) -> None:
    """Do what the journal says; every step may already be done (a rerun after a kill). A
    file is removed only while it holds what it held when the run decided to remove it."""
    staging = out / STAGING
    for name in journal["write"]:
        staged = staging / "new" / name
        if staged.exists():
            _make_parent(out / name)
            staged.replace(out / name)
    for name, digest in journal["remove"].items():
        target = out / name
        if _digest_on_disk(target) == digest:
            target.unlink()
    _prune_empty(out, journal["remove"])
    (out / JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _roll_back(out: Path, journal: dict[str, Any]) -> None:
    """Undo what `_carry_out` did before it failed: the old files back from their links, the
    new files that had no old version removed."""
    staging = out / STAGING
    for name in [*journal["write"], *journal["remove"]]:
        backup, target = staging / "old" / name, out / name
        if backup.exists():
            backup.replace(target)
        elif name in journal["write"] and not (staging / "new" / name).exists():
            target.unlink(missing_ok=True)  # it was new: it goes
    _prune_empty(out, journal["write"])
    (out / JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _make_parent(path: Path) -> None:
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)


def _prune_empty(out: Path, names: Iterable[str]) -> None:
    """Remove the directories of `names` that are now empty, deepest first (never `out`)."""
    directories = {parent for name in names for parent in PurePosixPath(name).parents}
    for directory in sorted(directories, key=lambda d: len(d.parts), reverse=True):
        if directory.parts and (out / directory).is_dir() and not any((out / directory).iterdir()):
            with contextlib.suppress(OSError):
                (out / directory).rmdir()


def _recover(out: Path) -> list[Diagnostic]:
    """Complete a run that was interrupted after its journal was written; drop the staging
    directory of one interrupted before."""
    journal_path = out / JOURNAL
    if journal_path.is_file() and not journal_path.is_symlink():
        journal = _read_journal(journal_path)
        with _signals_held():
            _carry_out(out, journal)
        return [info("SDK907", "#", f"{out}: completed the run that was interrupted")]
    for name in (STAGING, JOURNAL + ".tmp"):
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    return []


def _read_journal(path: Path) -> dict[str, Any]:
    try:
        journal = json.loads(path.read_bytes())
        names = [*journal["write"], *journal["remove"]]
        valid = (
            journal["format"] == FORMAT
            and isinstance(journal["remove"], dict)
            and all(isinstance(n, str) for n in names)
            and all(_is_digest(d) for d in journal["remove"].values())
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid or any(_unsafe(n) for n in names):
        raise _refuse("SDK902", f"{path} is not a journal sdkgen wrote; remove it to go on")
    return journal  # type: ignore[no-any-return]


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM are delivered after the block (only the main thread can hold them)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError):  # no pthread_sigmask (Windows)
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.sdkgen-lock"


@contextlib.contextmanager
def _locked(out: Path, *, required: bool) -> Iterator[None]:
    """Hold the output's lock; without `required`, go on unlocked where it cannot be made (a
    read-only checkout, for --check)."""
    import filelock

    timeout = float(os.environ.get("SDKGEN_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    path = lock_path(out)
    try:
        if required:
            path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(path, timeout=timeout)
        lock.acquire()
    except filelock.Timeout:
        message = f"another sdkgen run has held {path} for {timeout:g} s; giving up"
        raise _refuse("SDK906", f"{message} (SDKGEN_LOCK_TIMEOUT sets the wait)") from None
    except OSError:
        if required:
            raise
        yield
        return
    try:
        yield
    finally:
        lock.release()


# --- comparing (--check) ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Drift:
    added: list[str]  # generated, missing on disk
    removed: list[str]  # written before, no longer generated, still on disk
    changed: list[str]  # generated, different on disk
    foreign: list[str]  # not sdkgen's: reported, never drift
    interrupted: bool  # a run was interrupted; the next one completes it


def compare(files: dict[PurePosixPath, str], out: Path) -> Drift:
    """How the generated files in `out` differ from `files`; writes nothing."""
    out = Path(os.path.abspath(out))
    _check_target(out)
    try:
        with _locked(out, required=False):
            owned = _owned(out, set(files))
            interrupted = (out / JOURNAL).exists() or (out / STAGING).exists()
            added: list[str] = []
            changed: list[str] = []
            for rel in sorted(files):
                on_disk = _digest_on_disk(out / _safe(rel))
                if on_disk != sha256(files[rel].encode("utf-8")):
                    (added if on_disk is None else changed).append(str(rel))
            removed = [
                str(rel)
                for rel in sorted(owned.keys() - files.keys())
                if (out / rel).is_file() and not (out / rel).is_symlink()
            ]
            return Drift(added, removed, changed, foreign(files, out, owned), interrupted)
    except OSError as exc:
        raise _refuse("SDK903", f"cannot read {exc.filename or out}: {exc.strerror}") from None


def unified_diff(files: dict[PurePosixPath, str], out: Path, rel: str) -> str:
    """The unified diff of one file, from the tree on disk to what would be written."""
    on_disk = out / rel
    old = on_disk.read_text(encoding="utf-8", errors="replace") if on_disk.is_file() else ""
    new = files.get(PurePosixPath(rel), "")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
    )
    return "".join(lines)
