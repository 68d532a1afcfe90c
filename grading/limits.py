"""One memory budget for everything a grading run starts: a cgroup, where one can be made.

The sandbox's processes (the worker, its judges, the student processes and whatever
they start) go into one new cgroup, made below the grader's own, with a memory limit
(``memory.limit_in_bytes`` and ``memory.memsw.limit_in_bytes`` under cgroup v1,
``memory.max`` and ``memory.swap.max`` = 0 under v2), which its in-memory folders
(``/tmp``, ``/scratch``, ``/dev/shm``) are charged to as well, and a process count
(``pids.max``). When the budget runs out, the kernel ends the largest process in it:
the student's, not the grader's. The cgroup is removed after the run, with anything
left in it.

Where no such cgroup can be made (no write access to the cgroup file system, as for
most ordinary users, or no memory controller), the per-process limits set by the
worker hold instead: an address-space cap on each process, a process count, and
size-limited in-memory folders. ``mechanism()`` says which of the two applies.

Usage (grading/sandbox.py)::

    with memory_budget("ch1", limits.memory, limits.processes) as budget:
        argv = budget.wrap(argv)  # the command starts inside the cgroup
        ...
        budget.oom_kills()  # processes the kernel ended for memory so far
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PIDS_SLACK = 4  # tasks beyond the submission's own: bwrap's host process...
PER_PROCESS = "per-process caps"


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """The cgroup mounts: (mount root, mount point, fs type, super options)."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields = line.split()
            dash = fields.index("-")
            kind, options = fields[dash + 1], fields[dash + 3]
            if kind in ("cgroup", "cgroup2"):
                found.append(
                    (fields[3], fields[4], kind, set(options.split(",")))
                )
    return found


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup path per v1 controller ("memory"...), "" for v2."""
    own = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    return own


def _folder(controller: str) -> Path | None:
    """Our own cgroup's folder in the hierarchy of ``controller`` ("" for v2)."""
    own = _own_cgroups().get(controller)
    if own is None:
        return None
    for root, point, kind, options in _mounts():
        if (kind == "cgroup2") != (controller == ""):
            continue
        if controller and controller not in options:
            continue
        relative = own
        if root != "/" and own.startswith(root):
            relative = own[len(root) :]
        folder = Path(point) / relative.lstrip("/")
        if folder.is_dir():
            return folder
    return None


def _write(path: Path, value: object) -> None:
    path.write_text(f"{value}\n")


@dataclass
class Budget:
    """The cgroup folders of one run (none: per-process caps), and how to use them."""

    mechanism: str = PER_PROCESS  # "cgroup v1", "cgroup v2" or PER_PROCESS
    memory: int = 0  # bytes for all the run's processes together
    folders: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        if self.mechanism == PER_PROCESS:
            return (
                f"memory budget: per-process caps ({_size(self.memory)} of "
                "address space for each process; no cgroup can be made here)"
            )
        return (
            f"memory budget: {self.mechanism} {_size(self.memory)} for the "
            "whole submission (all its processes and in-memory folders)"
        )

    def out_of_memory(self) -> str:
        """What an exercise's report says when the budget ran out in it."""
        return (
            "out of memory: the kernel ended a process of the submission, "
            f"whose processes together may use {_size(self.memory)} "
            f"({self.mechanism})"
        )

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started inside the cgroup (before it can start anything)."""
        if not self.folders:
            return argv
        script = (
            'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; '
            'done; shift; exec "$@"'
        )
        procs = [str(f / "cgroup.procs") for f in self.folders]
        return ["/bin/sh", "-c", script, "budget", *procs, "--", *argv]

    def oom_kills(self) -> int:
        """How many processes the kernel has ended in the cgroup for memory."""
        for folder in self.folders:
            for name in ("memory.events", "memory.oom_control"):
                with contextlib.suppress(OSError):
                    for line in (folder / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill":
                            return int(value)
        return 0

    def close(self) -> None:
        """End every process left in the cgroup and remove it."""
        deadline = time.monotonic() + 10
        for folder in reversed(self.folders):
            while folder.exists():
                with contextlib.suppress(OSError):
                    folder.rmdir()
                    break
                for pid in _pids(folder):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        self.folders = []


def _pids(folder: Path) -> list[int]:
    with contextlib.suppress(OSError, ValueError):
        text = (folder / "cgroup.procs").read_text()
        return [int(pid) for pid in text.split()]
    return []


def _size(count: int) -> str:
    if count % (1 << 30) == 0:
        return f"{count >> 30} GiB"
    return f"{count / (1 << 20):.0f} MiB"


def _make_v2(name: str, memory: int, processes: int) -> list[Path]:
    parent = _folder("")
    if parent is None:
        return []
    folder = parent / name
    folder.mkdir()
    try:
        wanted = {"memory", "pids"}
        have = set((folder / "cgroup.controllers").read_text().split())
        if not wanted <= have:
            raise OSError("the memory and pids controllers are not enabled")
        _write(folder / "memory.max", memory)
        with contextlib.suppress(OSError):
            _write(folder / "memory.swap.max", 0)
        _write(folder / "pids.max", processes + PIDS_SLACK)
    except BaseException:
        folder.rmdir()
        raise
    return [folder]


def _make_v1(name: str, memory: int, processes: int) -> list[Path]:
    made = []
    try:
        memory_parent = _folder("memory")
        if memory_parent is None:
            raise OSError("no cgroup v1 memory controller")
        folder = memory_parent / name
        folder.mkdir()
        made.append(folder)
        _write(folder / "memory.limit_in_bytes", memory)
        if int((folder / "memory.limit_in_bytes").read_text()) > memory:
            raise OSError("the memory limit did not hold")
        if (folder / "memory.memsw.limit_in_bytes").exists():
            _write(folder / "memory.memsw.limit_in_bytes", memory)
        pids_parent = _folder("pids")
        if pids_parent is not None:
            folder = pids_parent / name
            folder.mkdir()
            made.append(folder)
            _write(folder / "pids.max", processes + PIDS_SLACK)
    except BaseException:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return made


def make_budget(name: str, memory: int, processes: int) -> Budget:
    """A new cgroup for one run, limited to ``memory`` bytes and ``processes``.

    cgroup v2 where its memory controller is available to us, else v1; a Budget
    without folders (per-process caps) where neither can be made.
    """
    unique = f"vae-course-{name}-{os.getpid()}-{secrets.token_hex(4)}"
    for version, make in (("cgroup v2", _make_v2), ("cgroup v1", _make_v1)):
        with contextlib.suppress(OSError, ValueError):
            folders = make(unique, memory, processes)
            if folders:
                return Budget(version, memory, folders)
    return Budget()


@contextlib.contextmanager
def memory_budget(name: str, memory: int, processes: int):
    """``make_budget`` for the ``with`` block; the cgroup is gone after it."""
    budget = make_budget(name, memory, processes)
    try:
        yield budget
    finally:
        budget.close()


@cache
def mechanism() -> str:
    """ "cgroup v1", "cgroup v2" or "per-process caps": what a run gets here."""
    budget = make_budget("probe", 1 << 30, 1)
    budget.close()
    return budget.mechanism


def memory_note(memory: int) -> str:
    """The line the grader prints: which memory budget its runs get here."""
    return Budget(mechanism(), memory).describe()


def prefer_oom_kill() -> None:
    """Make this process the first the kernel ends when the budget runs out.

    For the student process (its children inherit it): without it, the kernel
    might end the grading worker, the largest process, instead.
    """
    with contextlib.suppress(OSError):
        _write(Path("/proc/self/oom_score_adj"), 1000)
