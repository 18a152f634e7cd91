"""Folders that svlib replaces whole (the processed tables, a run's reports): written
under a hidden staging name beside their target, swapped into place in one step, and
written by one svlib process at a time.

* :func:`writing` takes the folder's lock (a second run on the same folder is refused,
  not interleaved), recovers or removes what an interrupted run left behind, and
  returns a :class:`Staging` folder to write into; :meth:`Staging.publish` swaps it in.
* The swap is atomic where the system can exchange two folders in one call (Linux's
  ``renameat2`` with ``RENAME_EXCHANGE``, macOS's ``renamex_np`` with ``RENAME_SWAP``):
  the target is the old folder or the new one at every instant, even if the process is
  killed. Elsewhere (Windows, or a file system that cannot exchange) the swap is two
  renames, recorded first in a small journal beside the target; if a kill falls between
  them, the next run finds the journal and completes the swap.
* A staging folder is complete only once :meth:`Staging.publish` is called; one left by
  a kill before that is removed by the next run (after it takes the lock, so a running
  writer's staging folder is never touched).

Names beside a target ``out``: ``.out.lock`` (the lock file), ``.out.staging-*`` (a
folder being written), ``.out.old-*`` (the folder being replaced) and
``.out.swap.json`` (the journal). ``.out.building-*`` is how earlier versions named
staging folders; those are removed too.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import json
import os
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator

from svlib.core.files import within
from svlib.core.problems import InputError, Problem

STALE_MARKS = (".staging-", ".old-", ".building-")
"""What follows ``.<target name>`` in the names of folders an interrupted run leaves."""


class FolderBusy(InputError):
    """Another svlib process is writing the folder."""


def _hidden(target: Path, mark: str) -> str:
    return f".{target.name}{mark}"


def _journal(target: Path) -> Path:
    return target.parent / _hidden(target, ".swap.json")


def _lock_file(target: Path) -> Path:
    return target.parent / _hidden(target, ".lock")


# ----------------------------------------------------------------------------------------
# The lock: one writer per folder, released by the system when the process ends
# ----------------------------------------------------------------------------------------

def _try_lock(handle: IO[bytes]) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        # A POSIX record lock belongs to this process alone: unlike flock, it is not
        # shared with the reader and notebook processes forked from it, which may outlive
        # a killed run for a moment and would otherwise keep the folder locked.
        fcntl.lockf(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


_HELD: set[str] = set()
"""Lock files this process holds (a lock taken again by the same process is re-entered)."""


@contextmanager
def locked(target: str | Path) -> Iterator[None]:
    """Hold the lock of folder ``target`` (the file ``.<name>.lock`` beside it).

    The system releases the lock when the process ends, however it ends, so a killed run
    never leaves a folder locked. Taking a lock this process already holds (a build
    inside a report run) simply continues.

    Raises
    ------
    FolderBusy
        Another process holds the lock; the message says which (process id and start).
    InputError
        The lock cannot be created: the folder beside it cannot be written.
    """
    target = Path(target)
    path = _lock_file(target)
    key = os.path.abspath(path)
    if key in _HELD:
        yield
        return
    handle = _open_lock(target, path)
    try:
        _HELD.add(key)
        yield
    finally:
        _HELD.discard(key)
        if os.name != "nt":
            path.unlink(missing_ok=True)  # before closing: a waiting process then sees a new file
        handle.close()  # releases the lock


def _open_lock(target: Path, path: Path) -> IO[bytes]:
    """The lock file, open and locked, with this process named in it. A lock file that
    its holder removed between our opening and locking it is opened afresh."""
    for _ in range(20):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+b")
        except OSError as exc:
            raise InputError([Problem(str(target), "", None, None,
                                      f"cannot be written ({exc.strerror}); choose a folder you can write to")]) from None
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(200).decode("utf-8", "replace").strip() or "another svlib process"
            handle.close()
            raise FolderBusy([Problem(str(target), "", None, None,
                                      f"another svlib run is writing this folder ({holder}); wait for it to finish, "
                                      "or choose another folder")])
        try:
            same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
        except FileNotFoundError:
            same = False
        if same or os.name == "nt":
            handle.seek(0)
            handle.truncate()
            started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            handle.write(f"process {os.getpid()}, started {started}".encode())
            handle.flush()
            return handle
        handle.close()
    raise FolderBusy([Problem(str(target), "", None, None, "other svlib runs keep taking this folder; try again")])


# ----------------------------------------------------------------------------------------
# The swap
# ----------------------------------------------------------------------------------------

def _exchange_function():
    """The system call that exchanges two paths atomically, or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to load (Windows)
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        call = libc.renameat2
        call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: call(-100, a, -100, b, 2)  # AT_FDCWD, RENAME_EXCHANGE
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):  # pragma: no cover - macOS only
        call = libc.renamex_np
        call.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: call(a, b, 2)  # RENAME_SWAP
    return None  # pragma: no cover


_EXCHANGE = _exchange_function()


def exchange(first: Path, second: Path) -> bool:
    """Exchange two existing paths in one atomic step; False when the system or the file
    system cannot (the paths are then unchanged)."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    error = ctypes.get_errno()
    if error in (1, 13, 30):  # EPERM, EACCES, EROFS: a real refusal, not a missing feature
        raise PermissionError(error, os.strerror(error), str(second))
    return False


def _two_renames(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with two renames, journalled so that a kill
    between them is completed by :func:`recover`."""
    old = Path(tempfile.mkdtemp(prefix=_hidden(target, ".old-"), dir=target.parent))
    old.rmdir()  # only the unique name is wanted: the old folder is renamed to it
    journal = _journal(target)
    _write_small(journal, json.dumps({"new": staging.name, "old": old.name}))
    os.replace(target, old)
    os.replace(staging, target)
    journal.unlink()
    shutil.rmtree(old, ignore_errors=True)


def _write_small(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _ours(target: Path, name: object) -> bool:
    """Whether ``name`` is a plain folder name of the kind svlib leaves beside ``target``."""
    return (isinstance(name, str) and "/" not in name and "\\" not in name
            and name.startswith(tuple(_hidden(target, mark) for mark in STALE_MARKS)))


def recover(target: str | Path) -> list[str]:
    """Put right what an interrupted replacement of ``target`` left beside it; call it
    while holding :func:`locked`. Returns what was done, for a note.

    * A journal whose swap stopped between its two renames (``target`` absent): the new
      folder, complete when the journal was written, is renamed into place.
    * Every other ``.<name>.staging-*``, ``.old-*`` or ``.building-*`` folder is removed:
      it is an unfinished write or a replaced folder.
    """
    target = Path(target)
    done: list[str] = []
    journal = _journal(target)
    if journal.exists():
        new = old = None
        try:
            names = json.loads(journal.read_text(encoding="utf-8"))
            if all(_ours(target, names[k]) for k in ("new", "old")):
                new, old = target.parent / names["new"], target.parent / names["old"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if new is not None and not target.exists():
            source = new if new.is_dir() else old
            if source is not None and source.is_dir():
                os.replace(source, target)
                done.append(f"completed an interrupted replacement of {target}")
        journal.unlink(missing_ok=True)
    Path(str(journal) + ".tmp").unlink(missing_ok=True)
    if target.parent.is_dir():
        for entry in sorted(target.parent.iterdir()):
            if _ours(target, entry.name) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
                done.append(f"removed {entry.name}, left by an interrupted run")
    return done


@dataclass
class Staging:
    """A hidden folder beside ``target`` to write the new contents into."""

    target: Path
    path: Path
    published: bool = False

    def publish(self) -> Path:
        """Make the staging folder the target, in one step where the system allows
        (see the module notes); the replaced folder is removed afterwards."""
        target, staging = self.target, self.path
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise InputError([Problem(str(target), "", None, None, "is not a folder; it was left as it is")])
        if not target.exists():
            os.rename(staging, target)
        elif exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)  # it now holds the replaced folder
        else:
            _two_renames(staging, target)
        self.published = True
        return target


def writable_problems(folder: Path) -> list[Problem]:
    """Why the files of an existing ``folder`` could not be replaced and removed: a
    folder in it (or itself) that this process may not write, or a read-only disk."""
    if not folder.is_dir():
        return []
    for current, subfolders, _ in os.walk(folder):
        if not os.access(current, os.W_OK | os.X_OK):
            return [Problem(str(folder), "", None, None,
                            f"cannot be replaced: {current} is read-only; make it writable or choose another folder")]
    return []


@contextmanager
def writing(target: str | Path) -> Iterator[Staging]:
    """Lock ``target``, recover what an interrupted run left, and give a fresh staging
    folder beside it to fill; the staging folder is removed on the way out unless it was
    published.

    Raises
    ------
    FolderBusy
        Another process is writing ``target``.
    InputError
        The folder (or the folder it is in) cannot be written: checked before any work,
        so a read-only output is reported at once, not after the work is done.
    """
    target = Path(target)
    with locked(target):
        recover(target)
        problems = writable_problems(target)
        try:
            path = Path(tempfile.mkdtemp(prefix=_hidden(target, ".staging-"), dir=target.parent))
        except OSError as exc:
            problems.append(Problem(str(target), "", None, None,
                                    f"cannot be written ({exc.strerror}); choose a folder you can write to"))
        if problems:
            raise InputError(problems)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o777 & ~umask)
        staging = Staging(target, path)
        try:
            yield staging
        finally:
            if not staging.published:
                shutil.rmtree(path, ignore_errors=True)


# ----------------------------------------------------------------------------------------
# Which folders may be replaced
# ----------------------------------------------------------------------------------------

SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
_LEFT_BY_SVLIB = re.compile(r"^\..+\.(?:running\.ipynb|tmp)$")  # a file being written, left by a kill


def _system_file(name: str) -> bool:
    """A file the operating system or an office program adds by itself (``.DS_Store``,
    ``Thumbs.db``, an office lock file or a macOS ``._`` file), or one svlib was writing
    when it was stopped: not the user's work. Any other file, hidden or not, is."""
    return (name.lower() in SYSTEM_FILES or name.startswith(("~$", ".~lock.", "._"))
            or _LEFT_BY_SVLIB.match(name) is not None)


def replaceable_folder_problems(out_dir: str | Path, raw_dir: str | Path | None, marker: str,
                                ours: Callable[[str], bool], suggestion: Path, what: str,
                                raw_what: str = "the raw workbooks") -> list[Problem]:
    """Why a folder that svlib replaces whole must not be replaced, if it must not.

    Parameters
    ----------
    out_dir, raw_dir : path
        The folder to replace, and the raw data (a folder, or a file), which is never
        written to; None when there is none.
    marker : str
        The file every earlier output holds (``manifest.json``, ``run.json``).
    ours : callable
        Whether a file, by its path inside the folder (``partners/x.html``), is one that
        svlib writes there.
    suggestion : path
        A folder to suggest instead (never the one refused).
    what : str
        What writes the folder (``build``, ``report run``, ``valuation``), for messages.
    raw_what : str
        What the raw folder holds, for messages.

    Returns
    -------
    list of Problem
        Empty when the folder is new, empty, or an earlier output holding only files
        svlib writes (and files the system adds by itself, such as ``.DS_Store``).
    """
    out, raw = Path(out_dir), None if raw_dir is None else Path(raw_dir)
    where = str(out_dir)

    def refuse(why: str, advice: str = "choose") -> list[Problem]:
        such_as = "" if within(out, suggestion) or within(suggestion, out) else f", such as {suggestion.as_posix()}"
        return [Problem(where, "", None, None, f"{why}; {advice} a new or empty folder{such_as}")]

    if out.exists() and not out.is_dir():
        return refuse(f"the output is a file, and a {what} writes a folder")
    if raw is not None and within(raw, out):
        return refuse(f"the output folder holds {raw_what}, which a {what} would replace")
    if raw is not None and raw.is_dir() and within(out, raw):
        return refuse("the output folder is inside the raw folder, and raw data is never written to")
    if out.is_symlink():
        return refuse(f"the output is a link to another folder, which a {what} would replace with a folder of its own")
    if not out.exists():
        return []
    present = [relative for relative in _files_inside(out) if not _system_file(Path(relative).name)]
    if present and marker not in present:
        return refuse(f"the output folder is not empty and is not an earlier {what} (it has no {marker}), "
                      f"and a {what} replaces its output folder whole")
    foreign = sorted(relative for relative in present if not ours(relative))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        return refuse(f"the output folder holds files a {what} did not write ({shown}), and a {what} replaces its "
                      "output folder whole", "move them elsewhere, or choose")
    return []


def _files_inside(folder: Path) -> list[str]:
    """Every file and link in ``folder`` and its sub-folders (links are not followed),
    as POSIX paths relative to it; an empty sub-folder counts as itself."""
    found = []
    for current, subfolders, files in os.walk(folder):
        relative = Path(current).relative_to(folder)
        links = [name for name in subfolders if (Path(current) / name).is_symlink()]
        found += [(relative / name).as_posix() for name in files + links]
        if not files and not subfolders and current != str(folder):
            found.append(relative.as_posix() + "/")
    return found
