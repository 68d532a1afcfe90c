"""The judge process: runs the instructor's checks cells; never runs student code.

Each name an exercise defines (``my_gaussian_kl``...) is bound, in the judge, to a
``Proxy`` that forwards the call to the student process over the wire (grading/wire.py).
Arguments travel by value; generators, models and optimizers come back with their new
state, callables are called back in the judge, and gradients flow through the process
boundary (a custom autograd function whose backward asks the student process).
"""

from __future__ import annotations

import ast
import contextlib
import io
import pickle
import re
import socket
import traceback

from grading.wire import (
    GENERATOR,
    LEAF,
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
    attach_graph,
    detach_all,
    recv,
    safe_loads,
    send,
)

GRAPHS = 64  # reference calls whose autograd graph the judge keeps


class Link:
    """The judge's end of the connection to the student process.

    ``references``: part (a)'s reference functions while a later part is
    graded, by name; the student process calls them (``refcall``), and asks
    for their gradients (``refbackward``), while it answers a request.
    """

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.references: dict = {}
        self.graphs: dict = {}
        self.calls = 0

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
            if kind == "refcall" and len(reply) == 3:
                self._send(self._refcall(reply[1], reply[2]))
                continue
            if kind == "refbackward" and len(reply) == 3:
                self._send(self._refbackward(reply[1], reply[2]))
                continue
            if kind == "raise":
                raise StudentCodeError(str(reply[1]))
            if kind == "ok":
                return reply[1]
            raise ProtocolError(f"an unexpected reply {kind!r}")

    def _send(self, message) -> None:
        try:
            data = pickle.dumps(message)
        except Exception as error:  # noqa: BLE001  (said to the student process)
            data = pickle.dumps(
                ("refunavailable", f"its result cannot be sent ({error})")
            )
        send(self.sock, data)

    def _refcall(self, name, payload):
        """Run part (a)'s reference ``name`` on the student process's data."""
        import torch

        function = self.references.get(name) if isinstance(name, str) else None
        if function is None:
            return ("refunavailable", f"no reference {name!r} here")
        leaves, generators = [], []

        def decode(value):
            if isinstance(value, dict) and LEAF in value:
                leaf = value.get("value")
                if not isinstance(leaf, torch.Tensor):
                    raise TypeError("a marked tensor that is not a tensor")
                leaves.append(leaf.detach().clone().requires_grad_(True))
                return leaves[-1]
            if isinstance(value, dict) and GENERATOR in value:
                generators.append(torch.Generator())
                generators[-1].set_state(value.get("state"))
                return generators[-1]
            if isinstance(value, (tuple, list, dict)):
                return _each(decode, value)
            return value

        try:
            args, kwargs = decode(payload)
            with torch.enable_grad():
                result = function(*args, **dict(kwargs))
        except Exception as error:  # noqa: BLE001  (raised in the student process)
            return ("referror", f"{type(error).__name__}: {error}")
        flat: list = []
        _flatten(result, flat)
        differentiable = [bool(leaves) and t.requires_grad for t in flat]
        self.calls += 1
        if any(differentiable):
            self.graphs[self.calls] = (flat, leaves)
            for old in list(self.graphs)[:-GRAPHS]:
                del self.graphs[old]
        return (
            "refreturn",
            detach_all(result),
            differentiable,
            self.calls,
            [g.get_state() for g in generators],
        )

    def _refbackward(self, call_id, grads):
        """The gradients of a reference call's inputs, given its outputs'."""
        import torch

        graph = self.graphs.get(call_id)
        if graph is None or not isinstance(grads, list):
            return ("referror", "no such computation (graph freed)")
        outputs, inputs = graph
        pairs = [
            (o, g)
            for o, g in zip(outputs, grads)
            if isinstance(g, torch.Tensor) and o.requires_grad
        ]
        try:
            got = torch.autograd.grad(
                [o for o, _ in pairs],
                inputs,
                [g for _, g in pairs],
                allow_unused=True,
                retain_graph=True,
            )
        except Exception as error:  # noqa: BLE001  (raised in the student process)
            return ("referror", f"{type(error).__name__}: {error}")
        return ("refgrads", [None if g is None else g.detach() for g in got])

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
            f"your function returned {_article(self._what)}, which is not "
            "data the grader can read (tensors, numbers, strings, and lists, "
            "tuples or dicts of them); return what the task says"
        )

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()

    def __repr__(self) -> str:
        return f"<{_article(self._what)}, which is not data>"

    __iter__ = __len__ = __float__ = __int__ = __bool__ = __index__ = _fail
    __getitem__ = __call__ = __array__ = __eq__ = __ne__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __neg__ = __abs__ = __pow__ = _fail
    __hash__ = None


def _article(what: str) -> str:
    """'dict holding ...' -> 'a dict holding ...' (kept when it has one)."""
    if what.split(" ", 1)[0] in ("a", "an", "the"):
        return what
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


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
            what = str(result[UNREADABLE])[:200]
            # named after what it is: a check's f"got {type(x).__name__}"
            # then says it
            kind = type(f"{_article(what)} (not data)", (Unreadable,), {})
            return kind(what)
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
    """Give the judge's models and optimizers the state the student's
    function left them in. A model trained in another dtype (``net.double()``
    in place) is legal: its weights and gradients are cast to the dtype the
    checks built the model in, and the checks evaluate it there."""
    import torch

    for obj, state in zip(objects, states):
        if isinstance(obj, torch.nn.Module):
            tensors = list(obj.parameters()) + list(obj.buffers())
            if not isinstance(state, list) or not all(
                isinstance(s, (tuple, list)) and len(s) == 2 for s in state
            ):
                raise ProtocolError("a model state that is not a list")
            if len(state) != len(tensors) or any(
                not isinstance(value, torch.Tensor)
                or value.shape != tensor.shape
                for tensor, (value, _) in zip(tensors, state)
            ):
                raise ValueError(
                    "your function changed the model it was given: it came "
                    "back with other parameters (layers added, removed or "
                    "replaced); train the model you are given in place"
                )
            with torch.no_grad():
                for tensor, (value, grad) in zip(tensors, state):
                    tensor.copy_(value)  # cast to the model's dtype
                    if isinstance(tensor, torch.nn.Parameter):
                        tensor.grad = (
                            grad.to(device=tensor.device, dtype=tensor.dtype)
                            if isinstance(grad, torch.Tensor)
                            and grad.shape == tensor.shape
                            else None
                        )
        else:
            obj.load_state_dict(state)


def _attach_graph(link, call_id, leaves, result, differentiable):
    """Make the tensors of ``result`` depend on ``leaves`` in the judge's autograd graph."""
    return attach_graph(
        lambda grads: link.request("backward", call_id, grads),
        leaves,
        result,
        differentiable,
    )


def judge(
    job, checks, submission, link: Link, shell, events, references=None
) -> None:
    """Run each exercise: the student's answer cell there, the instructor's checks here.

    ``references``: the reference solutions of the parts that later parts
    follow (``chN-exMa`` before ``chN-exMb``), by grade_id; read by the judge
    after its student process started, never part of the job. While a later
    part is graded, the earlier parts' names are their references, here and
    in the student process (see ``_bind_references``).
    """
    skip = set(submission.get("skip", []))  # not run at all (timed out before)
    done = set(submission.get("done", []))  # answer run again, checks not
    only = submission.get("only")
    names = {e["grade_id"]: e["names"] for e in job["exercises"]}
    earlier = earlier_parts(list(names))
    ran: dict[str, bool] = {}  # references run here, and whether they worked
    for exercise in job["exercises"]:
        grade_id = exercise["grade_id"]
        if grade_id in skip:
            continue
        checked = grade_id not in done and (only is None or grade_id in only)
        if checked:
            events(event="start", grade_id=grade_id)
        parts = earlier.get(grade_id, [])

        def bind(parts=parts):
            _bind_references(link, shell, references or {}, parts, names, ran)

        bind()
        note = _run_answer(link, submission["answers"].get(grade_id))
        bind()  # an answer that defined part (a)'s names again
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


def earlier_parts(grade_ids: list[str]) -> dict[str, list[str]]:
    """The parts before each part of a multi-part exercise, by grade_id:
    ``ch4-ex5b`` -> ``["ch4-ex5a"]`` (same prefix, earlier letter)."""
    found: dict[str, list[str]] = {}
    for grade_id in grade_ids:
        match = PART.match(grade_id)
        if match:
            found[grade_id] = [
                other
                for other in grade_ids
                if (m := PART.match(other))
                and m.group(1) == match.group(1)
                and m.group(2) < match.group(2)
            ]
    return {k: v for k, v in found.items() if v}


PART = re.compile(r"^(ch\d+-ex\d+)([a-z])$")


def _bind_references(link, shell, references, parts, names, ran) -> None:
    """Make the earlier ``parts``' names their references: here (the checks
    see them) and in the student process, where a function becomes a stub
    that calls the reference here (arguments and results as data, gradients
    through) and a value is sent. A reference class, a value that cannot be
    sent, or a reference that does not run stays the student's."""
    for part in parts:
        source = references.get(part)
        if source is None:
            continue
        if part not in ran:
            result = shell.run_cell(source, store_history=False, silent=True)
            ran[part] = not (result.error_before_exec or result.error_in_exec)
        if not ran[part]:
            continue
        for name in names.get(part, []):
            value = shell.user_ns.get(name, _NOTHING)
            if value is _NOTHING or isinstance(value, (type, Proxy)):
                continue
            if callable(value):
                link.references[name] = value
                link.request("bind", name, "callable", None)
                continue
            try:
                pickle.dumps(value)
            except Exception:  # noqa: BLE001, S112  (it stays the student's)
                continue
            link.request("bind", name, "value", value)


_NOTHING = object()


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
    line = _failing_line(error, source)
    if isinstance(error, AssertionError):
        if not str(error):
            text = f"this check failed: {line}" if line else "a check failed"
        elif line and (_from_torch_testing(error) or _no_words(str(error))):
            # "Tensor-likes are not close!", a bare list of numbers: say
            # what was compared
            text = f"this check failed: {line}: {error}"
    else:
        explanation = _explain(str(error))
        if explanation:
            text = f"{explanation} (in the check {line}: {text})"
    return " ".join(text.split())[:600]


# torch errors that a value an answer returned causes in a check, and what
# they mean for the student (the original text follows)
TORCH_ERRORS = [
    (
        "does not require grad and does not have a grad_fn",
        "the check differentiates through what your function returned, and "
        "it is not connected to the inputs: do not use .detach(), .item(), "
        ".numpy(), torch.no_grad() or new tensors built from numbers on the "
        "way",
    ),
    (
        "One of the differentiated Tensors appears to not have been used",
        "the check differentiates through what your function returned, and "
        "it does not depend on one of the inputs",
    ),
    (
        "expected scalar type",
        "your function returned (or left the model in) another dtype than "
        "the check uses (float32 and float64 mixed): keep the inputs' dtype",
    ),
    (
        "to have the same dtype",
        "your function returned (or left the model in) another dtype than "
        "the check uses (float32 and float64 mixed): keep the inputs' dtype",
    ),
    (
        "Expected all tensors to be on the same device",
        "your function returned a tensor on another device than its inputs",
    ),
    (
        "must match the size of tensor",
        "a tensor your function returned has another shape than the check "
        "expects (see the shapes the task states)",
    ),
    (
        "shapes cannot be multiplied",
        "a tensor your function returned has another shape than the check "
        "expects (see the shapes the task states)",
    ),
    (
        "cannot be converted to Scalar",
        "your function returned several numbers where the check expects one",
    ),
    (
        "only one element tensors can be converted",
        "your function returned several numbers where the check expects one",
    ),
]


def _explain(text: str) -> str:
    for fragment, explanation in TORCH_ERRORS:
        if fragment in text:
            return explanation
    return ""


def _from_torch_testing(error) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and "torch/testing" in frames[-1].filename.replace(
        "\\", "/"
    )


def _no_words(text: str) -> bool:
    return not re.search(r"[A-Za-z]{3,}", text)


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
    """The statement of the checks cell that failed, on one line."""
    frames = _cell_frames(error)
    if not frames:
        return ""
    lines = source.splitlines()
    number = frames[-1].lineno
    if not 0 < number <= len(lines):
        return ""
    statement = lines[number - 1].strip()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return statement
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.stmt)
            and not isinstance(node, _BLOCKS)
            and node.lineno == number
        ):
            statement = ast.get_source_segment(source, node) or statement
            break
    statement = " ".join(statement.split())
    return statement if len(statement) <= 240 else statement[:237] + "..."


_BLOCKS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.If,
    ast.With,
    ast.AsyncWith,
    ast.Try,
)
