"""The judge process: runs the instructor's checks cells; never runs student code.

Each name an exercise defines (``my_gaussian_kl``...) is bound, in the judge, to a
``Proxy`` that forwards the call to the student process over the wire (grading/wire.py).
Arguments travel by value; generators, models and optimizers come back with their new
state, callables are called back in the judge, and gradients flow through the process
boundary (a custom autograd function whose backward asks the student process).
"""

from __future__ import annotations

import contextlib
import io
import pickle
import socket
import traceback

from grading.wire import (
    UNREADABLE,
    CallbackArg,
    GenArg,
    GradLeaf,
    ProtocolError,
    StudentCodeError,
    StudentProcessGone,
    StudentRef,
    _each,
    _flatten,
    _unflatten,
    recv,
    safe_loads,
    send,
)


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
        note = _run_answer(link, submission["answers"].get(grade_id))
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
            result, printed = _run_checks(shell, source)
            error = result.error_before_exec or result.error_in_exec
            credit, problem = (None, "") if error else _credit(result.result)
            message = (
                _check_failure(error, exercise["names"], source)
                if error
                else problem
                or (_last_line(printed) if credit is not None else "")
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
            event = {
                "event": "result",
                "grade_id": grade_id,
                "check_id": check_id,
                "passed": error is None and not problem,
                "message": message,
                "hidden": bool(error) and _in_hidden_tests(error, source),
            }
            if credit is not None:
                event["credit"] = credit
            events(**event)


def _run_answer(link: Link, answer) -> str:
    """Run an exercise's answer: the student's helper cells above it, then
    the answer cell itself, in the student process; a note when one raised.

    ``answer`` is the answer cell's source, or a list of cell sources (the
    helper cells the student added above it, in notebook order, then the
    answer cell).
    """
    if answer is None:
        return "your notebook has no answer cell for this exercise"
    cells = [answer] if isinstance(answer, str) else list(answer)
    note = ""
    for number, cell in enumerate(cells, 1):
        error = link.request("exec", str(cell))
        if not error:
            continue
        if number == len(cells):
            return f"your answer cell raised {error}"
        note = note or (
            "your cell above the answer cell raised "
            + str(error).replace("of your answer cell)", "of that cell)")
        )
    return note


def _run_checks(shell, source: str):
    """Run a checks cell here, in the judge: its result (with the value of
    its last expression, if any) and what it printed."""
    hook = shell.displayhook
    quiet = {
        "write_output_prompt": lambda *a, **k: None,
        "write_format_data": lambda *a, **k: None,
    }
    saved = {name: getattr(hook, name) for name in quiet}
    printed = io.StringIO()
    try:
        for name, replacement in quiet.items():
            setattr(hook, name, replacement)
        with contextlib.redirect_stdout(printed):
            result = shell.run_cell(source, store_history=False, silent=False)
    finally:
        for name, original in saved.items():
            setattr(hook, name, original)
    return result, printed.getvalue()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _credit(value) -> tuple[float | None, str]:
    """The points a checks cell gives by its last expression (nbgrader's
    convention): (None, "") when it ends in no value (full points),
    (number, "") for a number, (None, why) for anything else.

    The value is the judge's own (the checks run here); only a real Python
    int or float, a one-element tensor or a numpy number is taken, and it is
    converted here, so no object of the student's can choose the points.
    """
    import math

    import torch

    if value is None:
        return None, ""
    number = None
    if type(value) in (int, float):
        number = float(value)
    elif (
        type(value) in (torch.Tensor, torch.nn.Parameter)
        and value.numel() == 1
        and not value.is_complex()
        and value.dtype is not torch.bool
    ):
        number = float(torch.Tensor.item(value.detach().cpu()))
    elif type(value).__module__ == "numpy":
        import numpy

        if isinstance(value, (numpy.integer, numpy.floating)):
            number = float(value.item())
    if number is None:
        return None, (
            "the checks cell ended in a value that is not a number of points "
            f"(a {type(value).__name__}); the grader gives 0 (tell your "
            "instructor)"
        )
    if not math.isfinite(number):
        return None, (
            f"the checks cell computed {number} points, not a finite number; "
            "the grader gives 0"
        )
    return number, ""


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


def _cell_frames(error) -> list:
    """The traceback's frames in the checks cell, outermost first."""
    return [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith("<ipython-input") or "ipykernel" in f.filename
    ]


def _in_hidden_tests(error, source) -> bool:
    """Whether the checks cell's statement that failed is a hidden test."""
    frames = _cell_frames(error)
    if not frames:
        return False
    inside = False
    for number, line in enumerate(source.splitlines(), 1):
        text = line.strip()
        if text == "### BEGIN HIDDEN TESTS":
            inside = True
        elif text == "### END HIDDEN TESTS":
            inside = False
        if number == frames[0].lineno:
            return inside
    return False


def _failing_line(error, source) -> str:
    frames = _cell_frames(error)
    if not frames:
        return ""
    lines = source.splitlines()
    number = frames[-1].lineno
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""
