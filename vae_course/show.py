"""Show the package's own code inside the book (the chapters and the package
cannot drift apart), as the lecture's idea: without the argument checks.

A public function rejects bad input with a clear error, but the lines that
do it are not the maths a chapter teaches. :func:`show_source` leaves out of
the display, in every function it shows:

* statements that call a guard or a piece of plumbing: by rule, a function
  whose name starts with ``require_`` or ``check_`` (with or without a
  leading underscore). Guards raise on bad input; plumbing helpers such as
  ``require_like(ref, t)`` return their argument on the right device and
  dtype. Both are written as statements of their own, so dropping them
  leaves the maths (``tests/test_show_source_contract.py`` checks every
  block the chapters display),
* ``if`` blocks that only raise or only check,
* the ``Args:``/``Returns:``/``Raises:`` sections of docstrings (the API
  reference page shows them),

and says in its header line that it did. ``full=True`` shows the source as
it is.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

CHECK_PREFIXES = ("require_", "check_", "_require_", "_check_")
DOC_SECTIONS = ("Args:", "Returns:", "Raises:", "Example:", "Examples:")


def _called_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return ""


def _is_guard(statement: ast.stmt) -> bool:
    """A raise, a check call, or a block that holds nothing else."""
    if isinstance(statement, ast.Raise):
        return True
    if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
        name = _called_name(statement.value)
        return name.startswith(CHECK_PREFIXES)
    if isinstance(statement, (ast.If, ast.For)):
        return all(_is_guard(s) for s in statement.body + statement.orelse)
    return False


def _guard_lines(function: ast.AST) -> set[int]:
    """0-based line numbers of the guards anywhere in a function's body."""
    lines: set[int] = set()
    for node in ast.walk(function):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):  # IfExp and Lambda: expressions
                continue
            for statement in block:
                if isinstance(statement, ast.stmt) and _is_guard(statement):
                    first = statement.lineno - 1
                    lines.update(range(first, statement.end_lineno))
    return lines


def _docstring_cut(node: ast.AST, lines: list[str]) -> tuple[int, int] | None:
    """Line range (0-based, end exclusive) of the docstring's sections."""
    body = getattr(node, "body", [])
    if not (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return None
    first, last = body[0].lineno - 1, body[0].end_lineno - 1
    for i in range(first + 1, last):
        if lines[i].strip() in DOC_SECTIONS:
            start = i
            while start > first + 1 and not lines[start - 1].strip():
                start -= 1  # the blank line before the section goes too
            return start, last
    return None


def _without_guards(source: str) -> tuple[str, bool]:
    """The source with guard statements and docstring sections removed."""
    lines = source.splitlines()
    drop: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            continue
        cut = _docstring_cut(node, lines)
        if cut is not None:
            drop.update(range(*cut))
            drop |= _close_summary(lines, node, cut)
        if not isinstance(node, ast.ClassDef):
            drop |= _guard_lines(node)
    kept = [line for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept) + "\n", bool(drop)


def _close_summary(lines: list[str], node: ast.AST, cut: tuple) -> set[int]:
    """A docstring cut down to its summary line ends on that line.

    Moves the closing quotes up (in ``lines``) and returns the line they
    leave empty.
    """
    first = node.body[0].lineno - 1
    closing = lines[cut[1]]
    if cut[0] == first + 1 and closing.strip() in ('"""', "'''"):
        joined = lines[first] + closing.strip()
        if len(joined) <= 79:
            lines[first] = joined
            return {cut[1]}
    return set()


def source_of(obj, full: bool = False) -> str:
    """The text :func:`show_source` displays: header line, then the code."""
    try:
        source = textwrap.dedent(inspect.getsource(obj))
    except (TypeError, OSError) as exc:
        raise TypeError(
            "show_source needs a function or class defined in Python "
            f"source, got {obj!r}"
        ) from exc
    name = getattr(obj, "__qualname__", "")
    if name.split(".")[-1].startswith("_") and not name.startswith("__"):
        raise ValueError(
            f"{name} is private: a chapter shows the public functions only"
        )
    module = getattr(inspect.getmodule(obj), "__name__", "")
    header = f"# {module}.{name}"
    if not full:
        source, omitted = _without_guards(source)
        if omitted:
            header += "  (checks omitted)"
    return f"{header}\n{source}"


def show_source(obj, full: bool = False) -> None:
    """Display the source of a package function or class as a code block.

    What is shown is the idea: argument checks and the docstring's
    ``Args:`` sections are left out (``full=True`` shows everything). In a
    notebook (and on the website) this renders Markdown; elsewhere it prints
    plain text.
    """
    text = source_of(obj, full=full)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if get_ipython() is not None:
            display(Markdown(f"```python\n{text}```"))
            return
    except ImportError:  # pragma: no cover - IPython runs the notebooks
        pass
    print(text, end="")
