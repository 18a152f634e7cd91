"""What a result was made from: svlib and library versions, input fingerprints,
parameters and seed. Every report and output file carries this block."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable

from svlib import __version__
from svlib.core.files import sha256

_LIBRARIES = ("numpy", "pandas", "scipy", "SALib", "pandera", "openpyxl", "papermill", "matplotlib")


def library_versions() -> dict[str, str]:
    """Versions of Python, svlib and the libraries that shape its numbers."""
    found = {"python": platform.python_version(), "svlib": __version__}
    for name in _LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def input_fingerprints(files: Iterable[str | Path]) -> dict[str, dict[str, Any]]:
    """SHA-256 and size of each input file, keyed by the path as given."""
    out: dict[str, dict[str, Any]] = {}
    for file in files:
        path = Path(file)
        out[str(file)] = {"sha256": sha256(path), "bytes": path.stat().st_size}
    return out


def provenance(files: Iterable[str | Path] = (), parameters: dict[str, Any] | None = None,
               seed: int | None = None) -> dict[str, Any]:
    """The provenance block: versions, input fingerprints, parameters and seed."""
    return {
        "versions": library_versions(),
        "inputs": input_fingerprints(files),
        "parameters": dict(parameters or {}),
        "seed": seed,
    }
