"""svlib.core.folders: folders replaced whole (one writer at a time, an atomic swap, and
recovery of what a killed run left), and the fault-injection test: `svlib build` and
`svlib reports` killed at several moments always leave a whole old or new state, and
the raw files byte-identical."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from svlib import paths
from svlib.core.files import sha256
from svlib.core.folders import exchange, locked, recover, writing
from svlib.pipeline.build import build
from tests.workbooks import column_of, edit

SVLIB = [sys.executable, "-m", "svlib"]


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    """Hidden entries svlib leaves beside a folder while it works."""
    return sorted(p.name for p in parent.iterdir() if re.search(r"\.(staging|old|building)-|\.swap\.json|\.lock$", p.name))


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw" / "forum"
    folder.mkdir(parents=True)
    for name in ("food-network", "youth-hub"):
        shutil.copy(paths.raw_collection("example") / f"{name}.xlsx", folder)
    return folder


def hold_lock_in_another_process(folder: Path) -> subprocess.Popen:
    script = f"from svlib.core.folders import locked\nimport sys, time\nwith locked({str(folder)!r}):\n" \
             "    print('held', flush=True)\n    time.sleep(120)\n"
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


class TestOneWriterAtATime:
    def test_a_second_build_into_the_same_folder_is_refused_with_a_message(self, raw, tmp_path):
        out = tmp_path / "processed"
        holder = hold_lock_in_another_process(out)
        try:
            done = subprocess.run(SVLIB + ["build", str(raw), str(out)], capture_output=True, text=True)
        finally:
            holder.kill()
            holder.wait()
        assert done.returncode == 1
        assert "another svlib run is writing this folder" in done.stderr and f"process {holder.pid}" in done.stderr
        assert not out.exists()

    def test_a_second_report_run_into_the_same_folder_is_refused_before_any_work(self, raw, tmp_path):
        out = tmp_path / "site"
        holder = hold_lock_in_another_process(out)
        try:
            done = subprocess.run(SVLIB + ["reports", "--data", str(raw), "--out", str(out), "--draws", "200"],
                                  capture_output=True, text=True, env={**os.environ, "SVLIB_ROOT": str(tmp_path)})
        finally:
            holder.kill()
            holder.wait()
        assert done.returncode == 1 and "another svlib run is writing this folder" in done.stderr
        assert not out.exists() and not (tmp_path / "data").exists()  # no tables were written either

    def test_a_killed_writer_leaves_the_folder_free(self, tmp_path):
        holder = hold_lock_in_another_process(tmp_path / "out")
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with locked(tmp_path / "out"):
            pass

    def test_the_lock_is_taken_again_by_the_process_that_holds_it(self, tmp_path):
        with locked(tmp_path / "out"), locked(tmp_path / "out"):
            pass
        assert leftovers(tmp_path) == []  # the lock file is removed when released


class TestTheSwap:
    def test_the_target_is_exchanged_in_one_step_where_the_system_can(self, tmp_path):
        if not (sys.platform.startswith("linux") or sys.platform == "darwin"):
            pytest.skip("an atomic exchange of folders needs Linux or macOS")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        (tmp_path / "a" / "old").write_text("old")
        (tmp_path / "b" / "new").write_text("new")
        assert exchange(tmp_path / "b", tmp_path / "a")
        assert [p.name for p in (tmp_path / "a").iterdir()] == ["new"]
        assert [p.name for p in (tmp_path / "b").iterdir()] == ["old"]

    def test_a_published_folder_replaces_the_old_whole_and_nothing_is_left_beside_it(self, tmp_path):
        target = tmp_path / "out"
        target.mkdir()
        (target / "old.txt").write_text("old")
        with writing(target) as staging:
            (staging.path / "new.txt").write_text("new")
            staging.publish()
        assert [p.name for p in target.iterdir()] == ["new.txt"]
        assert leftovers(tmp_path) == []

    def test_an_unpublished_staging_folder_is_removed_and_the_target_left_alone(self, tmp_path):
        target = tmp_path / "out"
        target.mkdir()
        (target / "old.txt").write_text("old")
        with pytest.raises(RuntimeError), writing(target) as staging:
            (staging.path / "new.txt").write_text("new")
            raise RuntimeError("the work failed")
        assert [p.name for p in target.iterdir()] == ["old.txt"]
        assert leftovers(tmp_path) == []

    def test_a_kill_between_the_two_renames_is_completed_by_the_next_build(self, raw, tmp_path):
        # Where folders cannot be exchanged in one step (Windows, some network disks), the
        # swap is two renames. Kill the build right after the first, as a power cut might.
        out = tmp_path / "processed"
        assert build(raw, out).ok
        old = hashes(out)
        edit(raw / "youth-hub.xlsx", "ImpactMap", {f"{column_of(raw / 'youth-hub.xlsx', 'ImpactMap', 'quantity')}2": 99})
        raw_before = hashes(raw)
        script = textwrap.dedent(f"""
            import os, signal
            import svlib.core.folders as folders
            from svlib.pipeline.build import build
            folders._EXCHANGE = None  # this system's exchange is not used: the two-rename path
            rename = os.replace
            def replace_then_die(source, target):
                rename(source, target)
                if os.path.basename(str(target)).startswith(".processed.old-"):
                    os.kill(os.getpid(), signal.SIGKILL)
            folders.os.replace = replace_then_die
            build({str(raw)!r}, {str(out)!r})
        """)
        killed = subprocess.run([sys.executable, "-c", script])
        assert killed.returncode == -signal.SIGKILL
        assert not out.exists() and any(".swap.json" in name for name in leftovers(tmp_path))  # the moment it died
        with locked(out):  # what the next run does first
            assert recover(out)[0] == f"completed an interrupted replacement of {out}"
        assert out.is_dir() and hashes(out) != old  # the new build, complete when the swap began
        manifest = json.loads((out / "manifest.json").read_text())
        assert {s["file"]: s["sha256"] for s in manifest["sources"]} == raw_before
        assert leftovers(tmp_path) == []
        assert hashes(raw) == raw_before

    def test_staging_folders_left_by_kills_are_removed_by_the_next_build(self, raw, tmp_path):
        out = tmp_path / "processed"
        assert build(raw, out).ok
        for name in (".processed.staging-abc", ".processed.building-x1", ".processed.old-q"):  # .building- is the old name
            (tmp_path / name).mkdir()
            (tmp_path / name / "impact_map.csv").write_text("partial")
        (tmp_path / ".processed-notes").mkdir()  # not svlib's: left alone
        assert build(raw, out).ok
        assert leftovers(tmp_path) == []
        assert (tmp_path / ".processed-notes").is_dir()


# ----------------------------------------------------------------------------------------
# Fault injection: kill whole commands at several moments
# ----------------------------------------------------------------------------------------

def start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(SVLIB + command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, **(env or {})})


def kill(process: subprocess.Popen) -> None:
    """Kill the command and everything it started (workers, kernels), as closing the
    terminal or a power cut would."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def kill_when(process: subprocess.Popen, happened, limit: float = 240.0) -> bool:
    """Kill ``process`` as soon as ``happened()`` is true (polled every millisecond);
    False if it finished first."""
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        if happened():
            kill(process)
            return True
        time.sleep(0.001)
    kill(process)
    return False


def build_state(folder: Path, raws: dict[str, dict[str, str]]) -> str:
    """Which whole build ``folder`` holds ("old" or "new"), checking that every table the
    manifest lists is there with its row count, and that its sources are one raw state."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, rows in manifest["tables"].items():
        assert len((folder / name).read_text(encoding="utf-8").splitlines()) == rows + 1, name
    assert sorted(p.name for p in folder.iterdir()) == sorted(["manifest.json", *manifest["tables"]])
    sources = {s["file"]: s["sha256"] for s in manifest["sources"]}
    return next(state for state, files in raws.items() if files == sources)


def page_run(page: Path) -> str:
    """The run id a page carries (``<meta name="svlib-run" content="...">``, attributes in either order)."""
    meta = re.search(r"<meta[^>]*svlib-run[^>]*>", page.read_text(encoding="utf-8")).group()
    return re.search(r'content="([^"]*)"', meta).group(1)


def run_state(out: Path) -> str:
    """The run id of the whole run ``out`` holds, checking that every page and notebook
    run.json lists is there and from that run, and that nothing else is."""
    run = json.loads((out / "run.json").read_text())
    expected = {"index.html", "run.json"} | ({run["workbook"]} if run.get("workbook") else set())
    assert page_run(out / "index.html") == run["run_id"]
    for record in run["notebooks"]:
        if record["status"] == "ok":
            assert page_run(out / record["html"]) == run["run_id"], record["key"]
            assert json.loads((out / record["ipynb"]).read_text())["metadata"]["svlib_run"] == run["run_id"]
            expected |= {record["html"], record["ipynb"]} | {record[k] for k in ("pdf", "workbook") if record.get(k)}
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == expected
    return run["run_id"]


def test_a_build_killed_at_any_moment_leaves_the_old_build_or_the_new(raw, tmp_path):
    out = tmp_path / "processed"
    assert build(raw, out).ok
    raws = {"old": hashes(raw)}
    edit(raw / "youth-hub.xlsx", "ImpactMap", {f"{column_of(raw / 'youth-hub.xlsx', 'ImpactMap', 'quantity')}2": 77})
    raws["new"] = hashes(raw)
    seen = []
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, None):
        process = start(["build", str(raw), str(out)])
        if delay is None:  # the moment the new tables are being written
            kill_when(process, lambda: any(".staging-" in name for name in leftovers(tmp_path)))
        else:
            time.sleep(delay)
            kill(process)
        seen.append(build_state(out, raws))
        assert hashes(raw) == raws["new"]
    assert seen[0] == "old"  # killed while starting up
    assert build(raw, out).ok  # the next build clears what the kills left
    assert build_state(out, raws) == "new" and leftovers(tmp_path) == []


@pytest.mark.slow
def test_reports_killed_at_several_moments_leave_a_whole_run_old_or_new(raw, tmp_path):
    (tmp_path / "notebooks").symlink_to(paths.NOTEBOOKS_DIR, target_is_directory=True)
    env = {"SVLIB_ROOT": str(tmp_path)}  # the tables go to data/processed/forum under this root
    out = tmp_path / "site"
    processed = tmp_path / "data" / "processed" / "forum"
    command = ["reports", "--data", str(raw), "--out", str(out), "--draws", "200", "--jobs", "2"]
    first = subprocess.run(SVLIB + command, capture_output=True, text=True, env={**os.environ, **env})
    assert first.returncode == 0, first.stderr
    old_run = run_state(out)
    raws = {"old": hashes(raw)}
    edit(raw / "food-network.xlsx", "ImpactMap",
         {f"{column_of(raw / 'food-network.xlsx', 'ImpactMap', 'quantity')}2": 3000})
    raws["new"] = hashes(raw)
    old_manifest = (processed / "manifest.json").read_text()

    def staging_holds(inside: str) -> bool:
        return any((tmp_path / name / inside).exists() for name in leftovers(tmp_path) if ".staging-" in name)

    moments = {  # moment: (when to kill, the run the output folder must then hold, and the tables)
        "as the run starts": (lambda: staging_holds(""), "old", "old"),
        "just after the tables were swapped": (
            lambda: (processed / "manifest.json").read_text() != old_manifest, "old", "new"),
        "while partner pages are written": (lambda: staging_holds("partners/food-network.html"), "old", "new"),
        "just before the run is swapped in": (lambda: staging_holds("run.json"), None, "new"),
    }
    for moment, (happened, run, tables) in moments.items():
        killed = kill_when(start(command, env), happened)
        assert killed or run is None, f"the run finished before the moment '{moment}'"
        state = run_state(out)  # a whole run, whichever it is
        if run == "old":
            assert state == old_run, moment
        assert build_state(processed, raws) == tables, moment
        assert hashes(raw) == raws["new"], moment
    done = subprocess.run(SVLIB + command, capture_output=True, text=True, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert run_state(out) != old_run and build_state(processed, raws) == "new"
    assert leftovers(tmp_path) == [] and leftovers(processed.parent) == []
