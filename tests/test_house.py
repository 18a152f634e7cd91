"""The house rules: layers that follow the data flow, and no import cycles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from svlib import paths

LAYERS = ("core", "contract", "io", "reference", "validate", "pipeline", "valuation", "uncertainty", "analysis",
          "reporting", "tools")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_another_that_imports_it_back():
    graph = grimp.build_graph("svlib")
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from loop import b  # a function-level import still counts\n")
    (package / "b.py").write_text("from loop import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("loop")) == [["loop.a", "loop.b"]]


def test_every_layer_is_a_folder_of_svlib_and_every_module_lives_in_one():
    package = paths.PACKAGE_DIR
    assert {p.name for p in package.iterdir() if (p / "__init__.py").is_file()} == set(LAYERS)
    loose = sorted(p.name for p in package.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "cli.py", "paths.py"]


def test_the_layers_contract_holds():
    """``lint-imports`` (import-linter, configured in pyproject.toml) finds no upward import."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=paths.ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_the_contract_lists_the_layers_in_the_order_data_flows():
    import tomllib

    config = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = config["contracts"][0]["layers"]
    assert layers == ["svlib.tools", "svlib.cli"] + [f"svlib.{name}" for name in reversed(LAYERS[:-1])] + ["svlib.paths"]
