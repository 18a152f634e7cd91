"""Safe file writing and fingerprints.

Outputs are written to a temporary name in the same folder and renamed into place, so a
reader never sees a half-written file, even if the run is interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


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


def within(inner: Path, outer: Path) -> bool:
    """Whether path ``inner`` is folder ``outer`` or lies inside it, comparing existing
    folders by identity (``os.path.samefile``), so that symbolic links and the letter
    case of a case-insensitive file system cannot hide it."""
    if not outer.exists():
        return inner.resolve().is_relative_to(outer.resolve())
    return any(folder.exists() and os.path.samefile(folder, outer) for folder in (inner, *inner.resolve().parents))
