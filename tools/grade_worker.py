"""The grading worker: runs one chapter's exercises for some submissions, inside the sandbox.

``tools/grade.py`` starts this script (in a bubblewrap sandbox, see there) and writes one JSON
job to its standard input; the worker writes JSON lines (events) to its standard output.

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

The judge and prefix processes are not dumpable (``prctl(PR_SET_DUMPABLE, 0)``), so the student
process, same user as they are, cannot read or write their memory through /proc or ptrace. If
it kills them, the submission is reported as tampering, never scored.

Job (one JSON line)::

    {"prefix": [cell source, ...],
     "exercises": [{"grade_id": "ch1-ex1", "names": ["my_gaussian_kl"]}, ...],
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
import io
import json
import os
import pickle
import resource
import select
import signal
import socket
import struct
import sys
import time
import traceback

MAX_MESSAGE = (
    1 << 30
)  # bytes; a larger message from the student process is refused
RESULT_FD: int = -1  # our private copy of the original standard output


# ---------------------------------------------------------------------------- plumbing


def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _undumpable() -> None:
    _prctl(
        4, 0
    )  # PR_SET_DUMPABLE = 4: no /proc/<pid>/mem, no ptrace by same-user processes


def emit(**event) -> None:
    os.write(RESULT_FD, (json.dumps(event) + "\n").encode())


def send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(struct.pack("!Q", len(data)) + data)


def recv(sock: socket.socket) -> bytes:
    header = _exactly(sock, 8)
    (size,) = struct.unpack("!Q", header)
    if size > MAX_MESSAGE:
        raise ProtocolError(f"a message of {size} bytes")
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise StudentProcessGone()
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class ProtocolError(Exception):
    """The student process sent something that is not a valid answer (tampering)."""


class StudentProcessGone(Exception):
    """The student process ended (crash, memory limit, os._exit, killed itself)."""


class StudentCodeError(Exception):
    """The student's function raised an exception; the message says which and where."""


def safe_loads(data: bytes):
    """Read what the student process sent: data only (tensors, numbers, containers)."""
    import torch

    try:
        return torch.load(
            io.BytesIO(data), weights_only=True, map_location="cpu"
        )
    except Exception as error:  # noqa: BLE001  (any unreadable reply)
        raise ProtocolError(
            f"unreadable reply ({type(error).__name__})"
        ) from None


def dumps_safe(obj) -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


# ------------------------------------------------------------- the judge's view of answers


class _Marker:
    def __init__(self, *value):
        self.value = value


class GradLeaf(_Marker):
    """A tensor argument that requires grad (index into the call's leaves)."""


class GenArg(_Marker):
    """A torch.Generator argument: (index, state)."""


class CallbackArg(_Marker):
    """A callable argument, called back in the judge: (index,)."""


class StudentRef(_Marker):
    """A proxy passed as an argument: the student's own object (name,)."""


class Link:
    """The judge's end of the connection to the student process."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def request(self, *message, callbacks=()):
        send(self.sock, pickle.dumps(message))
        while True:
            reply = safe_loads(recv(self.sock))
            if not isinstance(reply, (tuple, list)) or not reply:
                raise ProtocolError("a reply that is not a message")
            kind = reply[0]
            if kind == "callback" and len(reply) == 3:
                self._callback(callbacks, reply[1], reply[2])
                continue
            if kind == "raise":
                raise StudentCodeError(str(reply[1]))
            if kind == "ok":
                return reply[1]
            raise ProtocolError(f"an unexpected reply {kind!r}")

    def _callback(self, callbacks, index, args) -> None:
        try:
            if not isinstance(index, int) or not 0 <= index < len(callbacks):
                raise ProtocolError("a call of an unknown callback")
            value = callbacks[index](*args)
            message = ("cbreturn", value)
        except ProtocolError:
            raise
        except Exception as error:  # noqa: BLE001  (reported to the student process)
            message = ("cberror", f"{type(error).__name__}: {error}")
        send(self.sock, pickle.dumps(message))


UNREADABLE = "__unreadable__"


class Unreadable:
    """What the judge gets for a returned value that is not data (a model, a
    History...): harmless until a check uses it, then a clear TypeError."""

    def __init__(self, what: str):
        self._what = what

    def _fail(self, *args, **kwargs):
        raise TypeError(
            f"your function returned a {self._what}, which the grader cannot "
            "read; return tensors, numbers, strings, lists, tuples or dicts "
            "(the task says which)"
        )

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()

    def __repr__(self) -> str:
        return f"<your {self._what}, which the grader cannot read>"

    __iter__ = __len__ = __float__ = __int__ = __bool__ = __index__ = _fail
    __getitem__ = __call__ = __array__ = __eq__ = __ne__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __neg__ = __abs__ = __pow__ = _fail
    __hash__ = None


def _each(fn, value):
    """``fn`` on each item of a tuple, list or dict: a plain one of that kind."""
    if isinstance(value, tuple):
        return tuple(fn(v) for v in value)
    if isinstance(value, list):
        return [fn(v) for v in value]
    return {k: fn(v) for k, v in value.items()}


class Proxy:
    """Stands, in the judge, for a function the student's answer cell defined."""

    def __init__(self, link: Link, name: str):
        self._link, self._name = link, name
        self.__name__ = name

    def __repr__(self) -> str:
        return f"<your {self._name}>"

    def __call__(self, *args, **kwargs):
        import torch

        leaves, generators, callbacks, objects = [], [], [], []

        def encode(value):
            if isinstance(value, Proxy):
                return StudentRef(value._name)
            if isinstance(value, torch.Tensor):
                if value.requires_grad and torch.is_grad_enabled():
                    leaves.append(value)
                    return GradLeaf(len(leaves) - 1, value.detach())
                return value.detach()
            if isinstance(value, torch.Generator):
                generators.append(value)
                return GenArg(len(generators) - 1, value.get_state())
            if isinstance(value, (torch.nn.Module, torch.optim.Optimizer)):
                objects.append(value)
                return value
            if isinstance(value, (tuple, list, dict)):
                return _each(encode, value)
            if callable(value) and not isinstance(value, type):
                callbacks.append(value)
                return CallbackArg(len(callbacks) - 1)
            return value

        payload = encode((args, kwargs))
        # pickling a model leaves out its parameters' .grad: they travel beside it
        grads = [
            [p.grad for p in obj.parameters()]
            if isinstance(obj, torch.nn.Module)
            else None
            for obj in objects
        ]
        reply = self._link.request(
            "call", self._name, payload, grads, callbacks=callbacks
        )
        if not isinstance(reply, dict):
            raise ProtocolError("a call reply that is not a dict")
        for generator, state in zip(generators, reply.get("generators", [])):
            generator.set_state(state)
        _write_back(objects, reply.get("objects", []))
        result = reply.get("result")
        if isinstance(result, dict) and set(result) == {UNREADABLE}:
            return Unreadable(str(result[UNREADABLE]))
        differentiable = reply.get("differentiable", [])
        if leaves and any(differentiable):
            result = _attach_graph(
                self._link,
                reply.get("call_id"),
                leaves,
                result,
                differentiable,
            )
        return result


def _write_back(objects, states) -> None:
    import torch

    for obj, state in zip(objects, states):
        if isinstance(obj, torch.nn.Module):
            tensors = list(obj.parameters()) + list(obj.buffers())
            if len(state) != len(tensors):
                raise ProtocolError("a model with other parameters came back")
            with torch.no_grad():
                for tensor, (value, grad) in zip(tensors, state):
                    tensor.copy_(value)
                    if isinstance(tensor, torch.nn.Parameter):
                        tensor.grad = grad
        else:
            obj.load_state_dict(state)


def _flatten(value, out):
    import torch

    if isinstance(value, torch.Tensor):
        out.append(value)
        return ("t", len(out) - 1)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [_flatten(v, out) for v in value])
    return ("v", value)


def _unflatten(spec, tensors):
    kind, body = spec
    if kind == "t":
        return tensors[body]
    if kind in ("tuple", "list"):
        items = [_unflatten(s, tensors) for s in body]
        return tuple(items) if kind == "tuple" else items
    return body


def _attach_graph(link, call_id, leaves, result, differentiable):
    """Make the tensors of ``result`` depend on ``leaves`` in the judge's autograd graph."""
    import torch

    flat: list = []
    spec = _flatten(result, flat)
    if len(differentiable) != len(flat):
        raise ProtocolError("gradient flags that do not match the result")

    class Remote(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):
            ctx.mark_non_differentiable(
                *[t for t, d in zip(flat, differentiable) if not d]
            )
            return tuple(t.clone() for t in flat)

        @staticmethod
        def backward(ctx, *grads):
            grads = [g if d else None for g, d in zip(grads, differentiable)]
            got = link.request("backward", call_id, grads)
            if not isinstance(got, list) or len(got) != len(leaves):
                raise ProtocolError("gradients that do not match the inputs")
            return tuple(got)

    return _unflatten(spec, Remote.apply(*leaves))


# ------------------------------------------------------------------ the student process


def serve_student(sock: socket.socket, shell) -> None:
    """Answer the judge: run answer cells, call the functions they define."""
    import torch

    namespace = shell.user_ns
    graphs: dict[int, tuple] = {}

    def reply(*message):
        data = dumps_safe(_plain(message))
        try:  # what the judge could not read would count as tampering
            safe_loads(data)
        except ProtocolError:
            data = dumps_safe(("raise", _not_data(message)))
            if message[0] == "ok" and isinstance(message[1], dict):
                # a call's result that is not data: the judge gets a marker
                # and fails only a check that uses the value
                value = message[1].get("result")
                marked = {**message[1], "result": {UNREADABLE: _what(value)}}
                with contextlib.suppress(ProtocolError):
                    safe_loads(dumps_safe(_plain(("ok", marked))))
                    data = dumps_safe(_plain(("ok", marked)))
        send(sock, data)

    while True:
        try:
            message = pickle.loads(recv(sock))
        except StudentProcessGone:
            os._exit(0)
        kind = message[0]
        try:
            if kind == "exec":
                result = shell.run_cell(message[1], store_history=False)
                error = result.error_before_exec or result.error_in_exec
                reply("ok", _describe(error) if error else "")
            elif kind == "kind":
                value = namespace.get(message[1], _MISSING)
                if value is _MISSING:
                    reply("ok", ("missing", None))
                elif callable(value):
                    reply("ok", ("callable", None))
                else:
                    reply("ok", ("value", _plain(value)))
            elif kind == "call":
                reply("ok", _call(sock, namespace, graphs, *message[1:]))
            elif kind == "backward":
                outputs, inputs = graphs[message[1]]
                grads = message[2]
                pairs = [
                    (o, g) for o, g in zip(outputs, grads) if g is not None
                ]
                got = torch.autograd.grad(
                    [o for o, _ in pairs],
                    inputs,
                    [g for _, g in pairs],
                    allow_unused=True,
                    retain_graph=True,
                )
                reply("ok", [None if g is None else g.detach() for g in got])
        except Exception as error:  # noqa: BLE001  (student code: anything)
            reply("raise", _describe(error))


_MISSING = object()


def _what(value) -> str:
    return type(value).__name__


def _not_data(message) -> str:
    """Why an answer's value cannot cross to the judge, for the student."""
    value = message[1] if len(message) > 1 else None
    if isinstance(value, dict) and "result" in value:
        value = value["result"]
    return (
        f"TypeError: it returned a {type(value).__name__}, which the grader "
        "cannot read; return tensors, numbers, strings, lists, tuples or "
        "dicts (the task says which)"
    )


def _call(sock, namespace, graphs, name, payload, grads):
    import torch

    leaves, generators, objects = {}, {}, []

    def callback(index):
        def call_judge(*args):
            send(sock, dumps_safe(_plain(("callback", index, args))))
            answer = pickle.loads(recv(sock))
            if answer[0] == "cberror":
                raise RuntimeError(f"the checks' function raised {answer[1]}")
            return answer[1]

        return call_judge

    def decode(value):
        if isinstance(value, GradLeaf):
            index, tensor = value.value
            leaves[index] = tensor.requires_grad_(True)
            return leaves[index]
        if isinstance(value, GenArg):
            index, state = value.value
            generators[index] = torch.Generator()
            generators[index].set_state(state)
            return generators[index]
        if isinstance(value, CallbackArg):
            return callback(value.value[0])
        if isinstance(value, StudentRef):
            return namespace[value.value[0]]
        if isinstance(value, (torch.nn.Module, torch.optim.Optimizer)):
            objects.append(value)
            return value
        if isinstance(value, (tuple, list, dict)):
            return _each(decode, value)
        return value

    args, kwargs = decode(payload)
    for obj, obj_grads in zip(objects, grads):
        if obj_grads is not None:
            for parameter, grad in zip(obj.parameters(), obj_grads):
                parameter.grad = grad
    function = namespace.get(name)
    if not callable(function):
        raise NameError(f"name {name!r} is not defined")  # noqa: TRY004  (what Python says)
    result = _plain(function(*args, **kwargs))
    flat: list = []
    _flatten(result, flat)
    differentiable = [bool(t.requires_grad) for t in flat]
    call_id = len(graphs)
    inputs = [leaves[i] for i in sorted(leaves)]
    if inputs and any(differentiable):
        graphs[call_id] = (flat, inputs)
    state = []
    for obj in objects:
        if isinstance(obj, torch.nn.Module):
            tensors = list(obj.parameters()) + list(obj.buffers())
            state.append(
                [
                    (
                        t.detach().clone(),
                        getattr(t, "grad", None)
                        if getattr(t, "grad", None) is None
                        else t.grad.detach().clone(),
                    )
                    for t in tensors
                ]
            )
        else:
            state.append(obj.state_dict())
    return {
        "result": _detached(result),
        "differentiable": differentiable,
        "call_id": call_id,
        "generators": [generators[i].get_state() for i in sorted(generators)],
        "objects": state,
    }


def _detached(value):
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, tuple):
        return tuple(_detached(v) for v in value)
    if isinstance(value, list):
        return [_detached(v) for v in value]
    return value


def _plain(value):
    """Numpy values as Python numbers and tensors; tensor subclasses as plain tensors."""
    import torch

    if isinstance(value, torch.Tensor):
        return (
            value.as_subclass(torch.Tensor)
            if type(value) is not torch.Tensor
            else value
        )
    if isinstance(value, (tuple, list, dict)):
        return _each(_plain, value)
    module = type(value).__module__
    if module == "numpy":
        import numpy

        if isinstance(value, numpy.ndarray):
            return torch.from_numpy(value.copy())
        if isinstance(value, numpy.generic):
            return value.item()
    return value


def _describe(error: BaseException) -> str:
    """'ZeroDivisionError: division by zero (line 3 of your answer)'."""
    text = f"{type(error).__name__}: {error}".strip().rstrip(":")
    frames = traceback.extract_tb(error.__traceback__)
    cells = [
        f
        for f in frames
        if f.filename.startswith("<ipython-input")
        or "ipykernel" in f.filename
        or f.filename.startswith("/tmp/ipykernel")
    ]
    if cells:
        text += f" (line {cells[-1].lineno} of your answer cell)"
    return text


# ---------------------------------------------------------------------------- the judge


def judge(job, checks, submission, link: Link, shell, events) -> None:
    """Run each exercise: the student's answer cell there, the instructor's checks here."""
    skip = set(submission.get("skip", []))  # not run at all (timed out before)
    done = set(submission.get("done", []))  # answer run again, checks not
    only = submission.get("only")
    for exercise in job["exercises"]:
        grade_id = exercise["grade_id"]
        if grade_id in skip:
            continue
        checked = grade_id not in done and (only is None or grade_id in only)
        if checked:
            events(event="start", grade_id=grade_id)
        answer = submission["answers"].get(grade_id)
        note = ""
        if answer is None:
            note = "your notebook has no answer cell for this exercise"
        else:
            error = link.request("exec", answer)
            if error:
                note = f"your answer cell raised {error}"
        if not checked:
            continue
        for name in exercise["names"]:
            shell.user_ns.pop(name, None)
            kind, value = link.request("kind", name)
            if kind == "callable":
                shell.user_ns[name] = Proxy(link, name)
            elif kind == "value":
                shell.user_ns[name] = value
        for check_id, source in checks[grade_id]:
            result = shell.run_cell(source, store_history=False, silent=True)
            error = result.error_before_exec or result.error_in_exec
            message = (
                _check_failure(error, exercise["names"], source)
                if error
                else ""
            )
            if message and note and not isinstance(error, AssertionError):
                missing = message.startswith(
                    "your answer cell does not define"
                )
                message = (
                    note
                    if missing
                    and not note.startswith("your answer cell raised")
                    else f"{note}; then: {message}"
                )
            if isinstance(error, (ProtocolError, StudentProcessGone)):
                raise error
            events(
                event="result",
                grade_id=grade_id,
                check_id=check_id,
                passed=error is None,
                message=message,
            )


def _check_failure(error, names, source) -> str:
    if isinstance(error, StudentCodeError):
        return f"your function raised {error}"
    if isinstance(error, NameError):
        missing = getattr(error, "name", None)
        if missing in names:
            return f"your answer cell does not define {missing}"
    text = f"{type(error).__name__}: {error}".strip().rstrip(":")
    if isinstance(error, AssertionError) and not str(error):
        line = _failing_line(error, source)
        text = f"this check failed: {line}" if line else "a check failed"
    return " ".join(text.split())[:600]


def _failing_line(error, source) -> str:
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith("<ipython-input") or "ipykernel" in f.filename
    ]
    if not frames:
        return ""
    lines = source.splitlines()
    number = frames[-1].lineno
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


# ------------------------------------------------------------------------- the process tree


def grade_submission(job, checks, submission, shell, deadline_total):
    """Fork a judge (which forks its student process); relay its events; enforce time limits."""
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
            if event["event"] != "finished":
                emit(**event)
            else:
                reason = "finished"
    for target in (-judge_pid, judge_pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)
    _, status = os.waitpid(judge_pid, 0)
    os.close(events_read)
    if reason == "finished":
        return None
    if reason in ("timeout", "total_timeout"):
        return reason, current
    return f"judge ended ({_status(status)})", current


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _judge_process(job, checks, submission, shell, events_fd) -> None:
    _undumpable()

    def events(**event):
        os.write(events_fd, (json.dumps(event) + "\n").encode())

    judge_end, student_end = socket.socketpair()
    student_pid = os.fork()
    if student_pid == 0:
        judge_end.close()
        _student_process(student_end, shell, job)
    student_end.close()
    try:
        judge(job, checks, submission, Link(judge_end), shell, events)
        events(event="finished")
        code = 0
    except ProtocolError as error:
        events(event="tampering", message=f"the student process sent {error}")
        code = 3
    except StudentProcessGone:
        _, status = os.waitpid(student_pid, 0)
        events(event="student_gone", message=_status(status))
        code = 4
    except BaseException as error:  # noqa: BLE001  (a grader bug: say so)
        events(event="internal", message=f"{type(error).__name__}: {error}")
        code = 5
    with contextlib.suppress(ProcessLookupError):
        os.kill(student_pid, signal.SIGKILL)
    os._exit(code)


def _student_process(sock: socket.socket, shell, job) -> None:
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the judge
    keep = sock.fileno()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    if job.get("memory"):
        resource.setrlimit(resource.RLIMIT_AS, (job["memory"], job["memory"]))
    try:
        serve_student(sock, shell)
    finally:
        os._exit(0)


def main() -> int:
    global RESULT_FD
    # IPython replaces __main__: pickle must find the markers under a module name of their own
    sys.modules["grade_worker"] = sys.modules[__name__]
    for marker in (GradLeaf, GenArg, CallbackArg, StudentRef):
        marker.__module__ = "grade_worker"
    RESULT_FD = os.dup(1)
    log = os.open("worker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    _undumpable()
    job = json.loads(sys.stdin.readline())

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
                message=f"code cell {number} of the chapter raised {_describe(error)}",
            )
            return 2
    checks = job["checks"]
    deadline_total = None
    for index, submission in enumerate(job["submissions"]):
        emit(event="submission", index=index)
        deadline_total = time.monotonic() + job["total_time"]
        skip, done = set(), set()
        while True:
            outcome = grade_submission(
                job,
                checks,
                {**submission, "skip": sorted(skip), "done": sorted(done)},
                shell,
                deadline_total,
            )
            if outcome is None:
                break
            reason, current = outcome
            emit(event="abort", reason=reason, grade_id=current)
            if reason != "timeout" or current is None:
                break
            # the exercise that timed out is left out; the others are graded in a new fork
            ids = [e["grade_id"] for e in job["exercises"]]
            skip.add(current)
            done |= set(ids[: ids.index(current)])
        emit(event="submission_done", index=index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
