"""The grading worker: runs one chapter's exercises for some submissions, inside the sandbox.

The grader (grading/sandbox.py) starts this module (``python -m grading.worker``) in a bubblewrap
sandbox and writes one JSON job to its standard input; the worker writes JSON lines (events) to its standard output.

Three kinds of processes, none of which lets student code near a score:

- **prefix** (this process): runs the chapter's own cells up to its first exercise, once.
  It never runs student code and never holds the reference solutions.
- **judge** (one per submission, a fork of the prefix): runs the instructor's checks cells,
  hidden tests included. It never runs student code either: each name an exercise defines
  (``my_gaussian_kl``...) is bound to a proxy that forwards the call to the student process.
- **student** (one per judge, a fork of the prefix): runs the submission's answer cells and
  answers the judge's calls. It can patch builtins or torch, add input transformers, trace
  hooks or exit handlers, loop forever, kill itself: all of that happens in its own process.

What crosses from the student process to the judge is data only, read with
``torch.load(weights_only=True)`` (tensors, numbers, strings, tuples, lists, dicts): the
answer's values, never code. Arguments the judge passes (tensors, generators, models,
optimizers, callables) are sent by value; generators, models and optimizers come back with
their new state, callables are called back in the judge, and gradients flow through the
process boundary (a custom autograd function whose backward asks the student process).

The result channel: the worker is PID 1 of the sandbox; only it holds its standard output
(the host reads the results there), and the judge signs each of its events with a key that
it reads, after its student process has started, from a memfd that the student process
closes (grading/sandbox.py checks the signatures). The judge and prefix processes are not
dumpable (``prctl(PR_SET_DUMPABLE, 0)``), so the student
process, same user as they are, cannot read or write their memory through /proc or ptrace. If
it kills them, the submission is reported as tampering, never scored.

Job (one JSON line)::

    {"prefix": [cell source, ...],
     "exercises": [{"grade_id": "ch1-ex1", "names": ["my_gaussian_kl"],
                    "time_limit": seconds}, ...],
     "checks": {"ch1-ex1": [[checks grade_id, source], ...], ...},
     "submissions": [{"fd": a memfd holding {"answers": {"ch1-ex1": source, ...},
                                             "only": null or [grade_id]}}, ...],
     "exercise_time": seconds, "total_time": seconds, "memory": bytes or 0}

Several submissions in one job (a batch, ``python -m grading --batch-size``): the prefix runs
once, and each submission gets its own judge and student processes, forked from it. Before
each submission but the first, the worker (PID 1 of the sandbox's PID namespace, the only
process there that student code cannot kill) puts the sandbox back as the prefix left it
(``reset_sandbox``): it kills every other process in the sandbox (``kill(-1, SIGKILL)``,
until /proc shows none, reaping them), removes the System V IPC objects, empties
``/scratch``, ``/tmp`` and ``/dev/shm`` (read-only files and folders, deep trees included)
and writes back what the prefix had left there (a snapshot taken after the prefix). The
environment, the working folder, signal dispositions and resource limits are those of each
new fork of the prefix, which never runs student code. Without the sandbox (not PID 1) none
of this can be done, and the grader gives each submission its own worker.

The reference solutions are never part of a job (except when the instructor's own solutions
are graded to check the environment). The student process is a copy of the prefix process,
so it could dig the checks out of its own memory: hidden tests keep students from fitting the
visible checks; they are not a secret (the book is public).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import re
import resource
import select
import signal
import socket
import sys
import time

from grading.judge import Link, judge
from grading.limits import prefer_oom_kill
from grading.student import _describe, serve_student
from grading.wire import ProtocolError, StudentProcessGone

RESULT_FD: int = -1  # our private copy of the original standard output
MESSAGE = 2000  # characters of a message in an event (the report shows fewer)
WRITABLE = ("/scratch", "/tmp", "/dev/shm")  # the sandbox's writable folders
RESET_TIME = 20  # seconds to end the previous submission's processes
SNAPSHOT_LIMIT = 64 << 20  # bytes of the prefix's files kept to restore


class ResetFailed(Exception):
    """The sandbox could not be put back as the prefix left it (the batch stops)."""


def _kill_the_rest() -> None:
    """As PID 1 of the sandbox: kill every other process in it, and reap them.

    ``kill(-1, SIGKILL)`` reaches every process of the namespace (and of any
    namespace below it) but the caller; all run as the sandbox's user. It is
    repeated until /proc lists no other process (a fork that raced the signal).
    """
    deadline = time.monotonic() + RESET_TIME
    while True:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        others = [p for p in os.listdir("/proc") if p.isdigit() and p != "1"]
        if not others:
            return
        if time.monotonic() > deadline:
            raise ResetFailed(f"processes {others[:5]} did not end")
        time.sleep(0.005)


def _remove_ipc() -> None:
    """Remove the System V shared memory, semaphores and message queues."""
    libc = ctypes.CDLL(None, use_errno=True)
    remove = {
        "shm": lambda i: libc.shmctl(i, 0, None),  # IPC_RMID = 0
        "sem": lambda i: libc.semctl(i, 0, 0),
        "msg": lambda i: libc.msgctl(i, 0, None),
    }
    for kind, rm in remove.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            if rm(int(line.split()[1])) != 0:
                raise ResetFailed(f"a System V {kind} object stays")


def _empty(folder: str) -> None:
    """Remove everything in ``folder`` (not the folder): any depth, any mode.

    One open folder at a time (relative to its parent, so no path grows), the
    names of the folders above it kept in a list: a tree deeper than any path
    or than the open-files limit goes too. Folders are made writable and
    searchable before they are entered.
    """
    above: list[str] = []
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while True:
            entered = False
            with os.scandir(fd) as entries:
                names = [
                    (e.name, e.is_dir(follow_symlinks=False)) for e in entries
                ]
            for name, is_dir in names:
                if not is_dir:
                    os.unlink(name, dir_fd=fd)
                    continue
                os.chmod(name, 0o700, dir_fd=fd)
                inner = os.open(
                    name,
                    os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                    dir_fd=fd,
                )
                os.close(fd)
                fd, entered = inner, True
                above.append(name)
                break
            if entered:
                continue
            if not above:
                return
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = parent
            os.rmdir(above.pop(), dir_fd=fd)
    finally:
        os.close(fd)


def _mount_points() -> set[str]:
    """The mount points of this process's mount namespace (/proc/self/mountinfo).

    The sandbox binds some host folders below its writable ones (a clone of the
    course under /tmp brings its .venv there): those are not the sandbox's to
    save or empty.
    """
    with open("/proc/self/mountinfo") as handle:
        return {
            re.sub(
                r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), line.split()[4]
            )
            for line in handle
        }


def _kept(path: str, mounts: set[str]) -> str:
    """What ``path`` is: "mount", "above" (leads to a mount point) or ""."""
    if path in mounts:
        return "mount"
    if any(m.startswith(path + "/") for m in mounts):
        return "above"
    return ""


def snapshot(folders=WRITABLE) -> list[tuple]:
    """What the prefix left in the writable folders: (path, kind, mode, data)."""
    found, size = [], 0
    mounts = _mount_points()
    for folder in folders:
        found.append((folder, "top", os.stat(folder).st_mode & 0o7777, None))
        for root, dirs, files in os.walk(folder):
            # mount points are not the sandbox's; the folders above them stay
            dirs[:] = [
                d
                for d in dirs
                if _kept(os.path.join(root, d), mounts) != "mount"
            ]
            for name in sorted(dirs + files):
                path = os.path.join(root, name)
                info = os.lstat(path)
                if os.path.islink(path):
                    found.append((path, "link", 0, os.readlink(path)))
                elif name in dirs:
                    if not _kept(path, mounts):
                        found.append(
                            (path, "dir", info.st_mode & 0o7777, None)
                        )
                else:
                    size += info.st_size
                    if size > SNAPSHOT_LIMIT:
                        raise ResetFailed(
                            f"the chapter's cells left more than {SNAPSHOT_LIMIT}"
                            " bytes in the writable folders"
                        )
                    with open(path, "rb") as handle:
                        data = handle.read()
                    found.append((path, "file", info.st_mode & 0o7777, data))
    return found


def _clear(folder: str, mounts: set[str]) -> None:
    """Empty ``folder`` like _empty, leaving mount points and the folders above them."""
    below = {m for m in mounts if m.startswith(folder + "/")}
    if not below:
        _empty(folder)
        return
    with os.scandir(folder) as entries:
        found = [(e.path, e.is_dir(follow_symlinks=False)) for e in entries]
    for path, is_dir in found:
        kept = _kept(path, below)
        if kept == "above":
            _clear(path, below)
        elif kept:
            continue
        elif is_dir:
            os.chmod(path, 0o700)
            _empty(path)
            os.rmdir(path)
        else:
            os.unlink(path)


def _restore(saved: list[tuple]) -> None:
    for path, kind, _, data in saved:  # parents come before children
        if kind == "top":
            continue
        if kind == "dir":
            os.mkdir(path, 0o700)
        elif kind == "link":
            os.symlink(data, path)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as handle:
                handle.write(data)
    for path, kind, mode, _ in reversed(saved):  # children before parents
        if kind not in ("link", "top"):
            os.chmod(path, mode)


def reset_sandbox(saved: list[tuple], folders=WRITABLE) -> None:
    """Put the sandbox back as the prefix left it (see the module's docstring)."""
    try:
        _kill_the_rest()
        _remove_ipc()
        for folder, kind, mode, _ in saved:
            # a folder the sandbox's user owns (bwrap run by a plain user)
            # may have lost its permissions
            if kind == "top" and os.stat(folder).st_uid == os.getuid():
                os.chmod(folder, mode)
        mounts = _mount_points()
        for folder in folders:
            _clear(folder, mounts)
        _restore(saved)
    except ResetFailed:
        raise
    except OSError as error:
        raise ResetFailed(f"{type(error).__name__}: {error}") from None


def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _undumpable() -> None:
    # PR_SET_DUMPABLE = 4: no /proc/<pid>/{mem,fd,environ}, no ptrace, for
    # processes of the same user without capabilities
    _prctl(4, 0)


def emit(**event) -> None:
    os.write(RESULT_FD, (json.dumps(event) + "\n").encode())


def _limit(kind: int, value: int) -> None:
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (value, value))


def grade_submission(job, checks, submission, shell, deadline_total):
    """Fork a judge (which forks its student process); relay its events; enforce time limits.

    Returns None when the judge finished, else (why, the exercise it was in).
    """
    events_read, events_write = os.pipe()
    judge_pid = os.fork()
    if judge_pid == 0:  # the judge
        os.close(events_read)
        os.close(RESULT_FD)
        os.setpgid(0, 0)
        _judge_process(job, checks, submission, shell, events_write)
    os.close(events_write)
    current, started = None, time.monotonic()
    limit = job["exercise_time"]
    # an exercise's own limit (its solution cell's metadata), else the job's
    limits = {
        e["grade_id"]: e.get("time_limit") or limit for e in job["exercises"]
    }
    buffer = b""
    reason = None
    while True:
        now = time.monotonic()
        left = min(started + limit, deadline_total) - now
        if left <= 0:
            reason = "timeout" if now < deadline_total else "total_timeout"
            break
        ready, _, _ = select.select([events_read], [], [], left)
        if not ready:
            continue
        chunk = os.read(events_read, 1 << 16)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            event = json.loads(line)
            if event["event"] == "start":
                current, started = event["grade_id"], time.monotonic()
                limit = limits.get(current, job["exercise_time"])
            elif event["event"] == "student_gone":
                reason = "crashed"
            if event["event"] != "finished":
                emit(**event)
            elif reason is None:
                reason = "finished"
    for target in (-judge_pid, judge_pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)
    _, status = os.waitpid(judge_pid, 0)
    os.close(events_read)
    if reason == "finished":
        return None
    if reason in ("timeout", "total_timeout", "crashed"):
        return reason, current
    return f"judge ended ({_status(status)})", current


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _judge_process(job, checks, submission, shell, events_fd) -> None:
    _undumpable()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    judge_end, student_end = socket.socketpair()
    student_pid = os.fork()
    if student_pid == 0:
        judge_end.close()
        _student_process(student_end, shell, job)
    student_end.close()
    # the key: read only now that the student process exists without it
    key = os.pread(job["key_fd"], 64, 0) if job.get("key_fd") else b""
    with contextlib.suppress(OSError):
        os.close(job["key_fd"])
    # the reference solutions of parts that later parts follow: same channel
    references = _read_references(job.get("references_fd"))
    # this submission's answers, and only its: same channel (the worker
    # never reads them, so no process of a batch holds another's answers)
    submission = {**submission, **_read_answers(submission, job)}
    if job.get("memory"):
        _limit(resource.RLIMIT_AS, job["memory"])
    index = submission["index"]

    def events(**event):
        if isinstance(event.get("message"), str):
            event["message"] = event["message"][:MESSAGE]
        event["index"] = index
        body = json.dumps(event, sort_keys=True).encode()
        event["mac"] = hmac.new(key, body, hashlib.sha256).hexdigest()
        os.write(events_fd, (json.dumps(event) + "\n").encode())

    current = {"grade_id": None}

    def tracked(**event):
        if event.get("event") == "start":
            current["grade_id"] = event["grade_id"]
        events(**event)

    try:
        judge(
            job,
            checks,
            submission,
            Link(judge_end),
            shell,
            tracked,
            references,
        )
        events(event="finished")
        code = 0
    except ProtocolError as error:
        events(event="tampering", message=f"the student process sent {error}")
        code = 3
    except StudentProcessGone:
        _, status = os.waitpid(student_pid, 0)
        events(
            event="student_gone",
            message=_status(status),
            grade_id=current["grade_id"],
        )
        code = 4
    except BaseException as error:  # noqa: BLE001  (a grader bug: say so)
        events(event="internal", message=f"{type(error).__name__}: {error}")
        code = 5
    with contextlib.suppress(ProcessLookupError):
        os.kill(student_pid, signal.SIGKILL)
    os._exit(code)


def _read_answers(submission: dict, job: dict) -> dict:
    """Read by the judge only: {"answers": ..., "only": ...} (grading/sandbox.py)."""
    if "fd" not in submission:
        return {}
    data = os.pread(submission["fd"], os.fstat(submission["fd"]).st_size, 0)
    for other in job["submissions"]:
        with contextlib.suppress(OSError):
            os.close(other["fd"])
    return json.loads(data)


def _read_references(fd) -> dict:
    """Read by the judge only (see grading/sandbox.py run_worker)."""
    if not fd:
        return {}
    try:
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        os.close(fd)
        return json.loads(data or b"{}")
    except (OSError, ValueError):
        return {}


def _student_process(sock: socket.socket, shell, job) -> None:
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the judge
    keep = sock.fileno()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)  # the key, the result channel, the events pipe
    os.closerange(keep + 1, 1 << 16)
    if job.get("memory"):
        _limit(resource.RLIMIT_AS, job["memory"])
    if job.get("nproc"):
        _limit(resource.RLIMIT_NPROC, job["nproc"])
    _limit(resource.RLIMIT_CORE, 0)
    # the kernel ends the student's processes, not the worker (and with it
    # the batch), when the sandbox's memory budget runs out
    prefer_oom_kill()
    try:
        serve_student(sock, shell)
    finally:
        os._exit(0)


def main() -> int:
    global RESULT_FD
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with bwrap (or the host)
    _undumpable()
    # PID 1 gets only the signals it handles: none (Python's SIGINT handler
    # would let any process in the sandbox stop the batch); forks restore it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # nothing from the working folder (student-writable) is ever imported
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
    RESULT_FD = os.dup(1)
    os.dup2(2, 1)  # what the chapter prints goes to the log (standard error)
    job = json.loads(sys.stdin.readline())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)

    import matplotlib

    matplotlib.use("Agg")
    import torch
    from IPython.core.interactiveshell import InteractiveShell

    torch.set_num_threads(1)
    shell = InteractiveShell.instance()
    for number, source in enumerate(job["prefix"], 1):
        result = shell.run_cell(source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if error:
            emit(
                event="prefix_failed",
                message=f"code cell {number} of the chapter raised {_describe(error)}"[
                    :MESSAGE
                ],
            )
            return 2
    checks = job["checks"]
    deadline_total = None
    ids = [e["grade_id"] for e in job["exercises"]]
    batch = len(job["submissions"]) > 1 and os.getpid() == 1
    saved = snapshot() if batch else []
    for index, submission in enumerate(job["submissions"]):
        if batch and index:
            try:
                reset_sandbox(saved)
            except ResetFailed as error:
                # the host grades the rest again, in a new sandbox
                print(f"cannot reset the sandbox: {error}", file=sys.stderr)
                return 6
        emit(event="submission", index=index)
        deadline_total = time.monotonic() + job["total_time"]
        skip, done = set(), set()
        while True:
            outcome = grade_submission(
                job,
                checks,
                {
                    **submission,
                    "index": index,
                    "skip": sorted(skip),
                    "done": sorted(done),
                },
                shell,
                deadline_total,
            )
            if outcome is None:
                break
            reason, current = outcome
            emit(event="abort", reason=reason, grade_id=current)
            if reason not in ("timeout", "crashed") or current is None:
                break
            # the exercise that timed out or crashed is left out; the others
            # are graded in a new fork
            skip.add(current)
            done |= set(ids[: ids.index(current)])
        emit(event="submission_done", index=index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
