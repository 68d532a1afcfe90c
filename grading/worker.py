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
     "submissions": [{"answers": {"ch1-ex1": source, ...}, "only": null or [grade_id]}],
     "exercise_time": seconds, "total_time": seconds, "memory": bytes or 0}

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
import resource
import select
import signal
import socket
import sys
import time

from grading.judge import Link, judge
from grading.student import _describe, serve_student
from grading.wire import ProtocolError, StudentProcessGone

RESULT_FD: int = -1  # our private copy of the original standard output
MESSAGE = 2000  # characters of a message in an event (the report shows fewer)


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
    try:
        serve_student(sock, shell)
    finally:
        os._exit(0)


def main() -> int:
    global RESULT_FD
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with bwrap (or the host)
    _undumpable()
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
    for index, submission in enumerate(job["submissions"]):
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
