"""Show the package's own code inside the book, so the chapters and the package cannot drift apart."""

from __future__ import annotations

import inspect


def show_source(obj) -> None:
    """Display the source of a package function or class as a highlighted code block.

    In a notebook (and on the website) this renders Markdown; elsewhere it prints plain text.
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(
            f"show_source needs a function or class defined in Python source, got {obj!r}"
        ) from exc
    module = getattr(inspect.getmodule(obj), "__name__", "")
    header = f"# {module}.{getattr(obj, '__qualname__', '')}"
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if get_ipython() is not None:
            display(Markdown(f"```python\n{header}\n{source}```"))
            return
    except (
        ImportError
    ):  # pragma: no cover - IPython is there whenever notebooks run
        pass
    print(header)
    print(source)
