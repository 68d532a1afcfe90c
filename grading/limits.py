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
size-limited in-memory folders. ``mechanism()`` says which of the two applies, and
``memory_note()`` why no cgroup could be made.

Each cgroup's name says whose it is: ``vae-course-<chapter>-pid<P>-at<T>-ns<N>-<random>``,
the grading process's pid P, its start time T (``/proc/P/stat``, clock ticks after
boot) and its pid namespace N. A grader killed with SIGKILL cannot remove its cgroup;
so each run first removes, next to the cgroup it makes, every cgroup of that form that
is empty (no process in its ``cgroup.procs``) and whose grader is gone (no process P
in this pid namespace, or one that started at another time than T). A live grader's
cgroup is never removed, even empty (between its making and the run's first process,
or after the run); neither is a non-empty one (the kernel refuses that too), nor one
from another pid namespace, whose pids mean nothing here.

cgroup v2: a child cgroup has only the controllers that its parent enables in
``cgroup.subtree_control``, and the parent can enable only those in its own
``cgroup.controllers`` (the top-down constraint). A cgroup other than the root cannot
enable a domain controller such as ``memory`` while it has processes of its own (the
"no internal processes" rule), and the grader is in its own cgroup. So under v2
the budget is made only where the grader's cgroup is the root of the hierarchy,
which may have processes and enable ``memory`` and ``pids`` for its children; in
any other cgroup (a systemd unit or session, a container's) the per-process caps
hold, and ``memory_note()`` says why. Honesty
note: the v1 path is tested against a kernel (tests/test_grading_limits.py, as
root); the v2 path only against a fake tree, a folder laid out as cgroup2 whose
mkdir and rmdir the tests perform as the kernel documents them
(Documentation/admin-guide/cgroup-v2.rst), not against a kernel: the machines the
tests ran on mount the memory controller under v1.

Usage (grading/sandbox.py)::

    with memory_budget("ch1", limits.memory, limits.processes) as budget:
        argv = budget.wrap(argv)  # the command starts inside the cgroup
        ...
        budget.oom_kills()  # processes the kernel ended for memory so far
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PIDS_SLACK = 4  # tasks beyond the submission's own: bwrap's host process...
PER_PROCESS = "per-process caps"
# vae-course-<chapter>-pid<P>-at<T>-ns<N>-<random>: see the module's docstring
NAME = re.compile(r"vae-course-.*-pid(\d+)-at(\d+)-ns(\d+)-[0-9a-f]{8}")


@dataclass(frozen=True)
class Hierarchy:
    """Where the cgroup file systems are, and how cgroups are made and removed.

    The defaults are this process's own (``/proc/self``) and the kernel's
    (``mkdir``, ``rmdir``); the tests give a fake cgroup2 tree instead.
    """

    mountinfo: Path = Path("/proc/self/mountinfo")
    cgroup: Path = Path("/proc/self/cgroup")
    make: Callable[[Path], None] = Path.mkdir
    remove: Callable[[Path], None] = Path.rmdir


KERNEL = Hierarchy()


def _unescape(text: str) -> str:
    """A mountinfo field as it is (the kernel writes a space as \\040...)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def _mounts(hierarchy: Hierarchy) -> list[tuple[str, str, str, set[str]]]:
    """The cgroup mounts: (mount root, mount point, fs type, super options)."""
    found = []
    with contextlib.suppress(OSError):
        for line in hierarchy.mountinfo.read_text().splitlines():
            fields = line.split()
            dash = fields.index("-")
            kind, options = fields[dash + 1], fields[dash + 3]
            if kind in ("cgroup", "cgroup2"):
                root, point = _unescape(fields[3]), _unescape(fields[4])
                found.append((root, point, kind, set(options.split(","))))
    return found


def _own_cgroups(hierarchy: Hierarchy) -> dict[str, str]:
    """This process's cgroup path per v1 controller ("memory"...), "" for v2."""
    own = {}
    with contextlib.suppress(OSError):
        for line in hierarchy.cgroup.read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    return own


def _folder(controller: str, hierarchy: Hierarchy) -> tuple[Path, bool] | None:
    """Our own cgroup's folder in the hierarchy of ``controller`` ("" for v2),
    and whether it is that hierarchy's root."""
    own = _own_cgroups(hierarchy).get(controller)
    if own is None:
        return None
    for root, point, kind, options in _mounts(hierarchy):
        if (kind == "cgroup2") != (controller == ""):
            continue
        if controller and controller not in options:
            continue
        relative = own
        if root != "/" and own.startswith(root):
            relative = own[len(root) :]
        folder = Path(point) / relative.lstrip("/")
        if folder.is_dir():
            return folder, own == "/"
    return None


def _write(path: Path, value: object) -> None:
    path.write_text(f"{value}\n")


def _start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks after boot); None: unknown."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        # after the command's name, which may hold spaces and parentheses,
        # field 3 (the state) comes first and field 22 is the start time
        return int(stat.rpartition(")")[2].split()[19])
    return None


def _pid_namespace() -> int | None:
    with contextlib.suppress(OSError, ValueError):
        link = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
        return int(link.partition("[")[2].rstrip("]"))
    return None


def owner(name: str) -> tuple[int, int, int] | None:
    """The grader whose cgroup is called ``name``: (pid, start time, pid
    namespace); None for a name that is not a grading run's cgroup."""
    match = NAME.fullmatch(name)
    return tuple(map(int, match.groups())) if match else None


def _alive(pid: int, start: int) -> bool:
    """Whether the process that started as ``pid`` at ``start`` still runs
    (in doubt it does: another user's process that /proc hides, or a start
    time its grader could not read, 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    now = _start_time(pid)
    return now is None or start == 0 or now == start


def _pids(folder: Path) -> list[int] | None:
    """The processes in the cgroup; None where they cannot be read."""
    with contextlib.suppress(OSError, ValueError):
        text = (folder / "cgroup.procs").read_text()
        return [int(pid) for pid in text.split()]
    return None


def remove_leftovers(
    parent: Path, hierarchy: Hierarchy = KERNEL
) -> list[Path]:
    """Remove the cgroups below ``parent`` left by graders that are gone.

    Only those named as this module names them, from this pid namespace,
    whose grader no longer runs and that have no process in them; return
    them. (A grader killed with SIGKILL cannot remove its own.)
    """
    namespace = _pid_namespace()
    removed: list[Path] = []
    if namespace is None:
        return removed
    try:
        children = sorted(parent.iterdir())
    except OSError:
        return removed
    for folder in children:
        found = owner(folder.name)
        if found is None or found[2] != namespace or not folder.is_dir():
            continue
        if _alive(found[0], found[1]) or _pids(folder) != []:
            continue
        with contextlib.suppress(OSError):
            hierarchy.remove(folder)
            removed.append(folder)
    return removed


@dataclass
class Budget:
    """The cgroup folders of one run (none: per-process caps), and how to use them."""

    mechanism: str = PER_PROCESS  # "cgroup v1", "cgroup v2" or PER_PROCESS
    memory: int = 0  # bytes for all the run's processes together
    folders: list[Path] = field(default_factory=list)
    why_not: str = ""  # with per-process caps: why no cgroup could be made
    hierarchy: Hierarchy = KERNEL

    def describe(self) -> str:
        if self.mechanism == PER_PROCESS:
            why = f": {self.why_not}" if self.why_not else ""
            return (
                f"memory budget: per-process caps ({_size(self.memory)} of "
                "address space for each process; no cgroup can be made "
                f"here{why})"
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
                    self.hierarchy.remove(folder)
                    break
                for pid in _pids(folder) or []:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        self.folders = []


def _size(count: int) -> str:
    if count % (1 << 30) == 0:
        return f"{count >> 30} GiB"
    return f"{count / (1 << 20):.0f} MiB"


def _words(path: Path) -> set[str]:
    return set(path.read_text().split())


def _make_v2(
    name: str, memory: int, processes: int, hierarchy: Hierarchy
) -> list[Path]:
    found = _folder("", hierarchy)
    if found is None:
        raise OSError("no cgroup v2 hierarchy with this process in it")
    parent, is_root = found
    wanted = {"memory", "pids"}
    # top-down: a child gets only what its parent's subtree_control enables,
    # and the parent can enable only what its own cgroup.controllers lists
    missing = wanted - _words(parent / "cgroup.controllers")
    if missing:
        raise OSError(
            f"{parent} has no {' and no '.join(sorted(missing))} controller "
            "(not delegated to it, or bound to cgroup v1)"
        )
    remove_leftovers(parent, hierarchy)
    enabled = _words(parent / "cgroup.subtree_control")
    if not wanted <= enabled:
        if not is_root:
            # no internal processes: a cgroup with processes (ours) cannot
            # enable a domain controller for its children, but the root can
            raise OSError(
                f"this process's cgroup {parent} is not the root and has "
                "processes, so it cannot enable memory for a child cgroup "
                "(cgroup v2's no internal processes rule)"
            )
        _write(
            parent / "cgroup.subtree_control",
            " ".join(f"+{c}" for c in sorted(wanted - enabled)),
        )
    folder = parent / name
    hierarchy.make(folder)
    try:
        have = _words(folder / "cgroup.controllers")
        if not wanted <= have:
            raise OSError(
                f"the new cgroup {folder} has controllers {sorted(have)}, "
                f"not {sorted(wanted)}"
            )
        _write(folder / "memory.max", memory)
        if int((folder / "memory.max").read_text()) > memory:
            raise OSError("the memory limit did not hold")
        with contextlib.suppress(OSError):  # no swap accounting: no swap
            _write(folder / "memory.swap.max", 0)
        _write(folder / "pids.max", processes + PIDS_SLACK)
    except BaseException:
        hierarchy.remove(folder)
        raise
    return [folder]


def _make_v1(
    name: str, memory: int, processes: int, hierarchy: Hierarchy
) -> list[Path]:
    made = []
    try:
        found = _folder("memory", hierarchy)
        if found is None:
            raise OSError("no cgroup v1 memory controller")
        remove_leftovers(found[0], hierarchy)
        folder = found[0] / name
        hierarchy.make(folder)
        made.append(folder)
        _write(folder / "memory.limit_in_bytes", memory)
        if int((folder / "memory.limit_in_bytes").read_text()) > memory:
            raise OSError("the memory limit did not hold")
        if (folder / "memory.memsw.limit_in_bytes").exists():
            _write(folder / "memory.memsw.limit_in_bytes", memory)
        found = _folder("pids", hierarchy)
        if found is not None:
            remove_leftovers(found[0], hierarchy)
            folder = found[0] / name
            hierarchy.make(folder)
            made.append(folder)
            _write(folder / "pids.max", processes + PIDS_SLACK)
    except BaseException:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                hierarchy.remove(folder)
        raise
    return made


def make_budget(
    name: str, memory: int, processes: int, hierarchy: Hierarchy = KERNEL
) -> Budget:
    """A new cgroup for one run, limited to ``memory`` bytes and ``processes``.

    cgroup v2 where its memory controller is available to us, else v1; a Budget
    without folders (per-process caps), saying why, where neither can be made.
    Empty cgroups of graders that are gone are removed first.
    """
    pid = os.getpid()
    unique = (
        f"vae-course-{name}-pid{pid}-at{_start_time(pid) or 0}"
        f"-ns{_pid_namespace() or 0}-{secrets.token_hex(4)}"
    )
    reasons = []
    for version, make in (("cgroup v2", _make_v2), ("cgroup v1", _make_v1)):
        try:
            folders = make(unique, memory, processes, hierarchy)
        except (OSError, ValueError) as error:
            reasons.append(f"{version}: {_reason(error)}")
            continue
        return Budget(version, memory, folders, hierarchy=hierarchy)
    return Budget(memory=memory, why_not="; ".join(reasons))


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.errno in (
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
    ):
        return f"no write access ({error})"
    return str(error)


@contextlib.contextmanager
def memory_budget(
    name: str, memory: int, processes: int, hierarchy: Hierarchy = KERNEL
):
    """``make_budget`` for the ``with`` block; the cgroup is gone after it."""
    budget = make_budget(name, memory, processes, hierarchy)
    try:
        yield budget
    finally:
        budget.close()


@cache
def _probe() -> Budget:
    budget = make_budget("probe", 1 << 30, 1)
    budget.close()
    return budget


def mechanism() -> str:
    """ "cgroup v1", "cgroup v2" or "per-process caps": what a run gets here."""
    return _probe().mechanism


def memory_note(memory: int) -> str:
    """The line the grader prints: which memory budget its runs get here."""
    probe = _probe()
    return Budget(probe.mechanism, memory, why_not=probe.why_not).describe()


def prefer_oom_kill() -> None:
    """Make this process the first the kernel ends when the budget runs out.

    For the student process (its children inherit it): without it, the kernel
    might end the grading worker, the largest process, instead.
    """
    with contextlib.suppress(OSError):
        _write(Path("/proc/self/oom_score_adj"), 1000)
