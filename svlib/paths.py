"""Every path svlib uses, in one place.

Notebooks and commands never build relative paths themselves: a Jupyter kernel starts in
the notebook's folder, so a relative path means something different there. Everything is
anchored on the repository root (for data, notebooks and outputs) or on the installed
package (for reference data shipped with svlib).
"""

from __future__ import annotations

import os
from pathlib import Path

#: The installed package folder.
PACKAGE_DIR: Path = Path(__file__).resolve().parent

#: Reference tables shipped with the package (proxies, price indices, discount rates).
PACKAGE_DATA_DIR: Path = PACKAGE_DIR / "data"

#: The worked example shipped with the package.
EXAMPLES_DIR: Path = PACKAGE_DIR / "examples"


def _find_root() -> Path:
    """The repository root: ``SVLIB_ROOT`` if set, else the folder holding ``pyproject.toml``
    above the package, else the current working directory."""
    env = os.environ.get("SVLIB_ROOT")
    if env:
        return Path(env).resolve()
    for candidate in PACKAGE_DIR.parents:
        if (candidate / "pyproject.toml").is_file() and (candidate / "svlib").is_dir():
            return candidate
    return Path.cwd().resolve()


#: The repository root (override with the environment variable ``SVLIB_ROOT``).
ROOT: Path = _find_root()

DATA_DIR: Path = ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
PROCESSED_DIR: Path = DATA_DIR / "processed"
OUTPUTS_DIR: Path = ROOT / "outputs"
SCENARIOS_DIR: Path = DATA_DIR / "scenarios"
"""Saved "what if" scenarios (JSON), by collection: a researcher's settings, kept apart from the
outputs a run replaces (a scenario run writes to ``outputs/<collection>/scenarios/<name>/``)."""
NOTEBOOKS_DIR: Path = ROOT / "notebooks"

#: The bundled example collection of partner workbooks.
EXAMPLE_COLLECTION: str = "example"

#: The worked example value map and its inputs, shipped in the package.
EXAMPLE_IMPACT_MAP: Path = EXAMPLES_DIR / "impact_map.csv"
EXAMPLE_INPUTS: Path = EXAMPLES_DIR / "inputs.csv"


def raw_collection(collection: str = EXAMPLE_COLLECTION) -> Path:
    """Folder of one collection's raw partner workbooks (read, never written)."""
    return RAW_DIR / collection


def processed_collection(collection: str = EXAMPLE_COLLECTION) -> Path:
    """Folder of one collection's validated tidy tables."""
    return PROCESSED_DIR / collection


def outputs_collection(collection: str = EXAMPLE_COLLECTION) -> Path:
    """Folder of one collection's reports and site."""
    return OUTPUTS_DIR / collection


def package_data(name: str) -> Path:
    """A reference table shipped with svlib, by file name."""
    return PACKAGE_DATA_DIR / name


def shown(path: str | Path) -> str:
    """A path as svlib records it in shared files: relative to the repository root when
    it lies inside it (``data/processed/example``), else only its last part, so that no
    shared page or ``run.json`` carries the folders of a researcher's own machine."""
    resolved = Path(path).resolve()
    if resolved.is_relative_to(ROOT):
        return resolved.relative_to(ROOT).as_posix()
    return resolved.name


def for_kernel(path: str | Path) -> str:
    """A path to hand to a report notebook: relative to the repository root when it lies
    inside it (the notebook resolves it with :func:`resolve`), else absolute."""
    resolved = Path(path).resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(resolved)


def resolve(path: str | Path) -> Path:
    """A path given to svlib: a relative one is taken from the repository root, never
    from the current folder (a notebook's kernel starts in ``notebooks/``)."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def scenarios_collection(collection: str = EXAMPLE_COLLECTION) -> Path:
    """Folder of one collection's saved scenarios."""
    return SCENARIOS_DIR / collection
