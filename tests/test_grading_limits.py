"""The per-run memory and process budget in a cgroup (grading/limits.py, issue 19).

- against the kernel (cgroup v1 here, as root): a grader killed with SIGKILL leaves its
  cgroup; the next run removes it, and never the cgroup of a live grader, even an empty
  one, nor one with a process in it;
- against a fake cgroup2 tree (the machines these tests ran on have the memory
  controller under v1, and a controller bound to v1 cannot be mounted as v2): what the
  v2 path writes and reads, and that it keeps to the kernel's rules (a child gets only
  the controllers its parent enables; a cgroup with processes, other than the root,
  cannot enable memory for its children). The fake does mkdir and rmdir as the kernel
  documents them (Documentation/admin-guide/cgroup-v2.rst); it is not a kernel.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_helpers import (
    as_ordinary_user,
    cgroups_of,
    start_grading,
    student_version,
    submit,
)

from grading import limits
from grading.course import ROOT
from grading.sandbox import bwrap_path

MiB = 1 << 20


def dead_pid() -> int:
    """The pid of a process that has ended."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


def name_for(pid: int, start: int, namespace: int | None = None) -> str:
    namespace = limits._pid_namespace() if namespace is None else namespace
    return f"vae-course-test-pid{pid}-at{start}-ns{namespace}-0123abcd"


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.1)
    return found


# ---------------------------------------------------------------- the kernel


@pytest.fixture
def kernel():
    """The folders in which this process's runs make their cgroups.

    This test process moves into a cgroup of its own below its usual one
    for the test, so that the leftovers it plants are seen only by the runs
    it starts: a grader that another test starts at the same time (pytest
    workers) would rightly remove an empty leftover whose grader is gone.
    """
    budget = limits.make_budget("probe", 1 << 30, 1)
    parents = [folder.parent for folder in budget.folders]
    budget.close()
    if not parents:
        pytest.skip(f"no cgroup here: {budget.describe()}")
    private = [parent / f"limits-tests-{os.getpid()}" for parent in parents]
    for folder in private:
        folder.mkdir()
        (folder / "cgroup.procs").write_text(f"{os.getpid()}\n")
    try:
        yield private
    finally:
        for parent, folder in zip(parents, private, strict=True):
            (parent / "cgroup.procs").write_text(f"{os.getpid()}\n")
            wait_for(
                lambda f=folder: limits._pids(f) == [],
                30,
                f"the test's processes to leave {folder}",
            )
            folder.rmdir()


def hold_a_budget() -> tuple[subprocess.Popen, list[Path]]:
    """A live grader holding an empty cgroup (as between its making and the
    run's first process); it lets go when its standard input closes."""
    code = (
        "import sys\n"
        "from grading.limits import memory_budget\n"
        "with memory_budget('live', 1 << 30, 8) as budget:\n"
        "    print(*budget.folders, sep='\\n', flush=True)\n"
        "    print('ready', flush=True)\n"
        "    sys.stdin.read()\n"
    )
    live = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    folders = []
    for line in live.stdout:
        if line.strip() == "ready":
            break
        folders.append(Path(line.strip()))
    return live, folders


@pytest.mark.slow
@pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")
def test_a_killed_graders_cgroup_goes_with_the_next_run(kernel, tmp_path):
    """``python -m grading`` killed with SIGKILL while it grades: its cgroup
    is left (empty once the sandbox died with it); the next run removes it
    and leaves the empty cgroup of a live grader alone."""
    submit(student_version(tmp_path / "release"), tmp_path / "subs", "ada", {})
    command = [str(tmp_path / "subs"), "--skip-environment-check"]
    grading = start_grading(
        [*command, "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # the run's cgroups: those of the grader with processes in them
        left = wait_for(
            lambda: [
                f
                for parent in kernel
                for f in cgroups_of(grading.pid, parent)
                if limits._pids(f)
            ],
            300,
            "the grading run's cgroup with its processes in it",
        )
    finally:
        grading.send_signal(signal.SIGKILL)
        grading.wait()
    wait_for(
        lambda: all(limits._pids(f) == [] for f in left),
        60,
        "the sandbox's processes ended with their grader",
    )
    assert all(f.is_dir() for f in left), left  # left behind
    live, held = hold_a_budget()
    try:
        assert held and all(limits._pids(f) == [] for f in held), held
        with limits.memory_budget("next", 256 * MiB, 8) as budget:
            assert budget.folders
            assert not [f for f in left if f.exists()], "not removed"
            assert all(f.is_dir() for f in held), "a live grader's went"
    finally:
        live.stdin.close()
        live.wait()
    assert not [f for f in held if f.exists()], "its grader removes it"


def test_a_leftover_with_a_process_in_it_stays(kernel):
    """A cgroup whose grader is gone but with a process still in it stays
    until that process ends; the next run after that removes it."""
    folder = kernel[0] / name_for(dead_pid(), 1)
    folder.mkdir()
    sleeper = subprocess.Popen(["sleep", "120"])
    try:
        (folder / "cgroup.procs").write_text(f"{sleeper.pid}\n")
        limits.make_budget("next", 256 * MiB, 8).close()
        assert folder.is_dir(), "removed with a process in it"
        assert sleeper.poll() is None, "its process was ended"
    finally:
        sleeper.kill()
        sleeper.wait()
    wait_for(lambda: limits._pids(folder) == [], 10, "the process to go")
    limits.make_budget("next", 256 * MiB, 8).close()
    assert not folder.exists()


def test_an_ordinary_user_says_why_and_removes_nothing(kernel, tmp_path):
    """As ``nobody`` no cgroup can be made: the grader's note says why, and
    root's leftover (empty, its grader gone) stays."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to make the leftover")
    folder = kernel[0] / name_for(dead_pid(), 1)
    folder.mkdir()
    try:
        code = (
            "from grading import limits\nprint(limits.memory_note(1 << 30))\n"
        )
        run = subprocess.run(
            as_ordinary_user([sys.executable, "-c", code]),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert "per-process caps" in run.stdout, run.stdout
        assert "cgroup v1: no write access" in run.stdout, run.stdout
        assert folder.is_dir()
    finally:
        folder.rmdir()


# ------------------------------------------------------- a fake cgroup2 tree


class FakeCgroup2:
    """A folder laid out as a cgroup2 mount, this process in ``own``.

    ``make`` and ``remove`` do what the kernel's mkdir and rmdir do: a new
    cgroup gets the controllers its parent's ``cgroup.subtree_control``
    enables, with their interface files and their defaults; a cgroup with a
    process or a child in it cannot be removed (EBUSY). What the code writes
    into the files, the files keep (the kernel would parse it).
    """

    def __init__(self, tmp_path, own="/", controllers="cpu io memory pids"):
        # a space in the mount point: mountinfo writes it \040
        self.root = tmp_path / "cgroup 2"
        self.root.mkdir()
        self.write(self.root, "cgroup.controllers", controllers)
        self.write(self.root, "cgroup.subtree_control", "")
        self.write(self.root, "cgroup.procs", "1")
        mountinfo = tmp_path / "mountinfo"
        point = str(self.root).replace(" ", "\\040")
        mountinfo.write_text(
            "25 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
            f"41 31 0:38 / {point} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
        )
        cgroup = tmp_path / "cgroup"
        cgroup.write_text(f"0::{own}\n")
        self.own = self.root / own.strip("/")
        self.hierarchy = limits.Hierarchy(
            mountinfo, cgroup, self.make, self.remove
        )

    @staticmethod
    def write(folder: Path, name: str, text: str) -> None:
        (folder / name).write_text(f"{text}\n" if text else "")

    @staticmethod
    def read(folder: Path, name: str) -> str:
        return (folder / name).read_text().strip()

    def make(self, folder: Path) -> None:
        folder.mkdir()
        enabled = self.read(folder.parent, "cgroup.subtree_control").split()
        given = sorted(word.lstrip("+") for word in enabled)
        self.write(folder, "cgroup.controllers", " ".join(given))
        for name in ("cgroup.subtree_control", "cgroup.procs"):
            self.write(folder, name, "")
        self.write(folder, "cgroup.events", "populated 0\nfrozen 0")
        if "memory" in given:
            for name in ("memory.max", "memory.swap.max", "memory.high"):
                self.write(folder, name, "max")
            self.write(folder, "memory.current", "0")
            events = ("low", "high", "max", "oom", "oom_kill")
            self.write(
                folder, "memory.events", "\n".join(f"{e} 0" for e in events)
            )
        if "pids" in given:
            self.write(folder, "pids.max", "max")
            self.write(folder, "pids.current", "0")

    def remove(self, folder: Path) -> None:
        inside = [p for p in folder.iterdir() if p.is_dir()]
        if self.read(folder, "cgroup.procs") or inside:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(folder))
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()

    def children(self) -> set[str]:
        return {p.name for p in self.own.iterdir() if p.is_dir()}


@pytest.fixture
def enabled(tmp_path) -> FakeCgroup2:
    """The grader in the root cgroup, which enables memory and pids."""
    tree = FakeCgroup2(tmp_path)
    tree.write(tree.root, "cgroup.subtree_control", "memory pids")
    return tree


def test_v2_limits_written_and_read(enabled):
    budget = limits.make_budget("ch1", 768 * MiB, 16, enabled.hierarchy)
    assert budget.mechanism == "cgroup v2", budget.why_not
    (folder,) = budget.folders
    assert folder.parent == enabled.root
    assert limits.owner(folder.name)[0] == os.getpid()
    assert enabled.read(folder, "memory.max") == str(768 * MiB)
    assert enabled.read(folder, "memory.swap.max") == "0"
    assert enabled.read(folder, "pids.max") == str(16 + limits.PIDS_SLACK)
    assert budget.oom_kills() == 0
    events = enabled.read(folder, "memory.events")
    enabled.write(
        folder, "memory.events", events.replace("oom_kill 0", "oom_kill 3")
    )
    assert budget.oom_kills() == 3
    # the command moves itself in before it runs (exec: the same process)
    run = subprocess.run(
        budget.wrap([sys.executable, "-c", "import os; print(os.getpid())"]),
        capture_output=True,
        text=True,
        check=True,
    )
    assert enabled.read(folder, "cgroup.procs") == run.stdout.strip()
    enabled.write(folder, "cgroup.procs", "")  # (the kernel: it ended)
    budget.close()
    assert not folder.exists() and budget.folders == []
    # the root's own choice of controllers is left as it was
    assert enabled.read(enabled.root, "cgroup.subtree_control") == (
        "memory pids"
    )


def test_v2_the_root_enables_memory_and_pids_for_its_child(tmp_path):
    tree = FakeCgroup2(tmp_path)
    with limits.memory_budget("ch1", 512 * MiB, 4, tree.hierarchy) as budget:
        assert budget.mechanism == "cgroup v2", budget.why_not
        assert tree.read(tree.root, "cgroup.subtree_control") == (
            "+memory +pids"
        )
        assert tree.read(budget.folders[0], "memory.max") == str(512 * MiB)
    assert tree.children() == set()


def test_v2_no_internal_processes(tmp_path):
    """The grader in a cgroup of its own below the root (a systemd unit, a
    container): that cgroup has a process, so it cannot enable memory for a
    child; no cgroup is made or written to, and the note says why."""
    tree = FakeCgroup2(tmp_path, own="/grader.service")
    tree.write(tree.root, "cgroup.subtree_control", "memory pids")
    tree.make(tree.own)
    tree.write(tree.own, "cgroup.procs", str(os.getpid()))
    budget = limits.make_budget("ch1", 512 * MiB, 4, tree.hierarchy)
    assert budget.mechanism == limits.PER_PROCESS
    assert "no internal processes" in budget.why_not, budget.why_not
    assert "no internal processes" in budget.describe()
    assert tree.read(tree.own, "cgroup.subtree_control") == ""
    assert tree.children() == set()


def test_v2_a_child_gets_only_what_the_parent_has(tmp_path):
    """Top-down: memory bound to v1 (not in the root's cgroup.controllers)."""
    tree = FakeCgroup2(tmp_path, controllers="cpu io")
    budget = limits.make_budget("ch1", 512 * MiB, 4, tree.hierarchy)
    assert budget.mechanism == limits.PER_PROCESS
    assert "no memory and no pids controller" in budget.why_not
    assert tree.read(tree.root, "cgroup.subtree_control") == ""
    assert tree.children() == set()


def test_v2_leftovers_of_graders_that_are_gone_are_removed(enabled):
    start = limits._start_time(os.getpid())
    other = subprocess.Popen(["sleep", "60"])  # another live grader
    try:
        names = {
            "gone": name_for(dead_pid(), 1),
            "gone, but its pid reused": name_for(other.pid, 1),
            "with a process in it": name_for(dead_pid(), 1),
            "this grader's": name_for(os.getpid(), start),
            "another live grader's": name_for(
                other.pid, limits._start_time(other.pid)
            ),
            "another pid namespace's": name_for(dead_pid(), 1, 1),
            "not a run's": "user.slice",
            "an old name": f"vae-course-ch1-{dead_pid()}-0123abcd",
        }
        for name in names.values():
            enabled.make(enabled.root / name)
        busy = enabled.root / names["with a process in it"]
        enabled.write(busy, "cgroup.procs", str(other.pid))
        budget = limits.make_budget("ch1", 512 * MiB, 4, enabled.hierarchy)
        assert budget.mechanism == "cgroup v2", budget.why_not
        gone = {"gone", "gone, but its pid reused"}
        assert enabled.children() == {
            names[k] for k in names if k not in gone
        } | {budget.folders[0].name}
        budget.close()
    finally:
        other.kill()
        other.wait()
