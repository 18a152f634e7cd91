"""Safe file writing and fingerprints.

Outputs are written to a temporary name in the same folder and renamed into place, so a
reader never sees a half-written file, even if the run is interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from svlib.core.problems import echo


def write_atomic(path: str | Path, data: str | bytes, replace: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    With ``replace=False`` an existing ``path`` is never replaced: the file appears
    only if nothing of that name exists at the moment it is put in place (a hard link,
    which fails on an existing name; where the disk has no hard links, a check just
    before the rename). Raises ``FileExistsError`` otherwise.
    """
    path = Path(path)
    if not replace and (path.exists() or path.is_symlink()):
        raise FileExistsError(17, "File exists", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            _put_new(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _put_new(temporary: str, path: Path) -> None:
    """Give the finished ``temporary`` file the name ``path``, only if that name is free."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this disk
        if path.exists() or path.is_symlink():
            raise FileExistsError(17, "File exists", str(path)) from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")."""


def spreadsheet_safe(text: str) -> str:
    """Text as it is written to a file a person may open in a spreadsheet: a value that
    starts like a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, a tab or a carriage
    return) gets a leading apostrophe, so the spreadsheet shows it as text and never runs
    it, as the OWASP advice on CSV injection says. A value that starts with an apostrophe
    gets one more, so that :func:`from_spreadsheet_safe` gives back exactly what was
    written.

    Examples
    --------
    >>> spreadsheet_safe("=HYPERLINK(\"http://x\")"), spreadsheet_safe("Food bank"), spreadsheet_safe("'quoted'")
    ('\'=HYPERLINK("http://x")', 'Food bank', "''quoted'")

    References
    ----------
    OWASP Foundation, *CSV Injection* (owasp.org/www-community/attacks/CSV_Injection).
    """
    return "'" + text if text.startswith(FORMULA_STARTS + ("'",)) else text


def from_spreadsheet_safe(text: str) -> str:
    """The value :func:`spreadsheet_safe` was given."""
    return text[1:] if text.startswith("'") else text


def write_json(path: str | Path, payload: Any) -> Path:
    """JSON with sorted keys and a trailing newline, written atomically."""
    return write_atomic(path, json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (read-only)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FileRefused(Exception):
    """A file svlib will not read (not a regular file, a link leaving its folder, or too
    large); the message says why and what to do."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_regular(path: str | Path, limit: int, inside: Path | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read once.

    Parameters
    ----------
    path : path
        The file.
    limit : int
        Largest size read, in bytes.
    inside : path, optional
        A folder the file must lie in once links are followed (the raw folder).

    Raises
    ------
    FileRefused
        The file is not a regular file (a named pipe, which would block forever; a device
        such as ``/dev/zero``, which never ends; a folder or socket), is a link leading
        outside ``inside``, or is larger than ``limit``.
    OSError
        The file cannot be opened.

    Notes
    -----
    The file is opened without blocking and checked on the open handle (``fstat``), so
    what is checked is what is read.
    """
    path = Path(path)
    plainly_inside = inside is not None and path.absolute().parent == Path(inside).absolute() and not path.is_symlink()
    if inside is not None and not plainly_inside and not within(path, inside):
        raise FileRefused(f"is a link to {echo(path.resolve())}, outside the folder {echo(inside)}; svlib reads only "
                          "files inside it: copy the file into the folder instead")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        kind = next((name for test, name in _KINDS if test(info.st_mode)), None)
        if kind or not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"is {kind or 'not a regular file'}, not a file svlib can read")
        if info.st_size > limit:
            raise FileRefused(f"is {_size(info.st_size)}, larger than the {_size(limit)} svlib reads")
        chunks, total = [], 0
        while block := os.read(handle, min(1 << 20, limit + 1 - total)):
            chunks.append(block)
            total += len(block)
            if total > limit:  # it grew while being read
                raise FileRefused(f"is larger than the {_size(limit)} svlib reads")
        return b"".join(chunks)
    finally:
        os.close(handle)


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{n / 1e3:,.1f} KB"


def within(inner: Path, outer: Path) -> bool:
    """Whether path ``inner`` is folder ``outer`` or lies inside it, comparing existing
    folders by identity (``os.path.samefile``), so that symbolic links and the letter
    case of a case-insensitive file system cannot hide it."""
    if not outer.exists():
        return inner.resolve().is_relative_to(outer.resolve())
    return any(folder.exists() and os.path.samefile(folder, outer) for folder in (inner, *inner.resolve().parents))
