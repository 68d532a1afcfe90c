"""The student process: runs the submission's answer cells and answers the judge's calls.

It can patch builtins or torch, add input transformers, trace hooks or exit handlers, loop
forever, kill itself: all of that happens in its own process, and what it sends back is
read as data only (grading/wire.py).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import socket
import traceback

from grading import landlock
from grading.wire import (
    GENERATOR,
    LEAF,
    UNREADABLE,
    CallbackArg,
    GenArg,
    GradLeaf,
    ProtocolError,
    StudentProcessGone,
    StudentRef,
    _each,
    _flatten,
    attach_graph,
    dumps_safe,
    recv,
    safe_loads,
    send,
)

# what a student process may open in the sandbox (grading/landlock.py): the
# sandbox's folders, writing only where it can write anyway, and of /proc only
# the listing of its folders (which processes there are) and files that name
# no path (not /proc/*/mountinfo, cmdline, environ, maps...): global ones, the
# System V IPC tables, and its own status and statm (memory, capabilities)
WRITABLE = ("/tmp", "/scratch", "/dev/shm")
PROC_FILES = (
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/sysvipc",
    "/proc/self/status",
    "/proc/self/statm",
)


def confinement() -> dict[str, int]:
    """The student process's Landlock rules: path -> rights on it and below."""
    rules = {
        f"/{name}": landlock.READ
        for name in sorted(os.listdir("/"))
        if name not in ("proc", "sys")
    }
    rules["/dev"] = landlock.READ | landlock.WRITE_FILE | landlock.IOCTL_DEV
    for folder in WRITABLE:
        rules[folder] = landlock.ALL
    rules["/proc"] = landlock.READ_DIR
    for path in PROC_FILES:
        rules[path] = landlock.READ_FILE | landlock.READ_DIR
    return rules


def confine() -> int:
    """In the sandbox: confine this (student) process with Landlock.

    Returns the Landlock version (0: none, nothing confined; the instructors'
    page says what student code can then read). Outside the sandbox (no
    bubblewrap) nothing is done: student code runs as the user there anyway.
    """
    if os.environ.get(landlock.CONFINE) != "1":
        return 0
    return landlock.restrict(confinement())


def serve_student(sock: socket.socket, shell) -> None:
    """Answer the judge: run answer cells, call the functions they define."""
    # first, while this process has a single thread and before any of the
    # submission's code: it cannot be undone
    confine()
    import torch

    namespace = shell.user_ns
    graphs: dict[int, tuple] = {}
    stubs: dict[str, object] = {}  # part (a)'s names bound to its reference

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
            elif kind == "bind":
                _, name, what, value = message
                mine = namespace.get(name)
                if mine is stubs.get(name, _MISSING):
                    mine = getattr(mine, "__wrapped__", None)
                if what == "callable":
                    stubs[name] = _reference_stub(sock, name, mine)
                    namespace[name] = stubs[name]
                else:
                    stubs.pop(name, None)
                    namespace[name] = value
                reply("ok", None)
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


def _what(value, depth: int = 0) -> str:
    """What a value that is not data is, for the student: 'dict whose item
    'model' is a class (MLPVAE)', 'MLPVAE object (a torch model)'."""
    import torch

    if isinstance(value, (tuple, list, dict)) and depth < 4:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if not _is_data(key):
                return f"{type(value).__name__} whose key {key!r} is not data"
            if not _is_data(item):
                inner = _what(item, depth + 1)
                return (
                    f"{type(value).__name__} whose item [{key!r}] is "
                    f"{'an' if inner[:1] in 'aeiou' else 'a'} {inner}"
                )
        return type(value).__name__
    if isinstance(value, type):
        return f"class ({value.__name__}), not an object or a name"
    if isinstance(value, torch.nn.Module):
        return f"{type(value).__name__} object (a torch model)"
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        return f"function ({name})"
    return f"{type(value).__name__} object"


def _is_data(value) -> bool:
    try:
        safe_loads(dumps_safe(_plain(value)))
    except Exception:  # noqa: BLE001  (anything that is not data)
        return False
    return True


def _not_data(message) -> str:
    """Why an answer's value cannot cross to the judge, for the student."""
    value = message[1] if len(message) > 1 else None
    if isinstance(value, dict) and "result" in value:
        value = value["result"]
    what = _what(value)
    return (
        f"TypeError: it returned {'an' if what[:1] in 'aeiou' else 'a'} "
        f"{what}, which is not data the grader can read (tensors, numbers, "
        "strings, and lists, tuples or dicts of them); return what the task "
        "says"
    )


def _reference_stub(sock, name, mine):
    """Part (a)'s ``name`` while a later part is graded: each call runs the
    reference in the judge (its source never comes here). Arguments go as
    data (tensors that need gradients and generators marked), results come
    back, and gradients flow through. A call with arguments that are not data
    (a model, a callable) runs the student's own ``mine`` instead."""
    import functools

    import torch

    def stub(*args, **kwargs):
        leaves, generators = [], []

        def encode(value):
            if isinstance(value, torch.Tensor):
                if value.requires_grad and torch.is_grad_enabled():
                    leaves.append(value)
                    return {LEAF: len(leaves) - 1, "value": value.detach()}
                return value.detach()
            if isinstance(value, torch.Generator):
                generators.append(value)
                return {GENERATOR: 0, "state": value.get_state()}
            if isinstance(value, (tuple, list, dict)):
                return _each(encode, value)
            return value

        data = dumps_safe(("refcall", name, encode(_plain((args, kwargs)))))
        try:
            safe_loads(data)
        except ProtocolError:
            data = None
        if data is not None:
            send(sock, data)
            answer = pickle.loads(recv(sock))
            if answer[0] == "referror":
                raise RuntimeError(
                    f"{name} (part (a)'s reference, used to grade this part) "
                    f"raised {answer[1]}"
                )
            if answer[0] == "refreturn":
                _, result, differentiable, call_id, states = answer
                for generator, state in zip(generators, states):
                    generator.set_state(state)
                if leaves and any(differentiable):
                    result = attach_graph(
                        _ask_gradients(sock, call_id),
                        leaves,
                        result,
                        differentiable,
                    )
                return result
        if callable(mine):
            return mine(*args, **kwargs)
        raise TypeError(
            f"{name} is part (a)'s reference here and takes data only "
            "(tensors, numbers, strings, lists, tuples, dicts, generators)"
        )

    if callable(mine):
        functools.update_wrapper(stub, mine)
    else:
        stub.__name__ = stub.__qualname__ = name
    stub.__wrapped__ = mine
    return stub


def _ask_gradients(sock, call_id):
    def backward(grads):
        grads = [None if g is None else g.detach() for g in grads]
        send(sock, dumps_safe(("refbackward", call_id, grads)))
        answer = pickle.loads(recv(sock))
        if answer[0] != "refgrads":
            raise RuntimeError(
                f"the gradient of part (a)'s reference failed: {answer[1]}"
            )
        return answer[1]

    return backward


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
