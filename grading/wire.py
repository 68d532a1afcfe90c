"""The wire between the judge and the student process: framing and data-only loading.

Messages are length-prefixed. What the student process sends is read with
``torch.load(weights_only=True)`` (tensors, numbers, strings, tuples, lists, dicts): data,
never code. What the judge sends is pickled, with the markers below standing for what
cannot travel by value (a tensor that needs gradients, a generator, a callback, a reference
to one of the student's own functions); they live here so that pickle finds them by name.
"""

from __future__ import annotations

import io
import socket
import struct

MAX_MESSAGE = (
    1 << 30
)  # bytes; a larger message from the student process is refused


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


# what a returned value that is not data becomes: {UNREADABLE: its type}
UNREADABLE = "__unreadable__"


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


def _each(fn, value):
    """``fn`` on each item of a tuple, list or dict: a plain one of that kind."""
    if isinstance(value, tuple):
        return tuple(fn(v) for v in value)
    if isinstance(value, list):
        return [fn(v) for v in value]
    return {k: fn(v) for k, v in value.items()}


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


# how the student process marks, in a call of part (a)'s reference (data only),
# a tensor that needs gradients and a generator
LEAF = "__grading_leaf__"
GENERATOR = "__grading_generator__"


def detach_all(value):
    """``value`` with every tensor in it (in tuples, lists, dicts) detached."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list, dict)):
        return _each(detach_all, value)
    return value


def attach_graph(backward, leaves, result, differentiable):
    """Make the tensors of ``result`` (computed in the other process from
    ``leaves``) depend on ``leaves`` in this process's autograd graph;
    ``backward(grads)`` asks the other process for the leaves' gradients."""
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
            got = backward(grads)
            if not isinstance(got, list) or len(got) != len(leaves):
                raise ProtocolError("gradients that do not match the inputs")
            return tuple(got)

    return _unflatten(spec, Remote.apply(*leaves))
