"""The API page (book/api.md) is written at build time from the package.

A Sphinx extension (loaded from _config.yml: sphinx.local_extensions). The
page holds its introduction and one marker line, ``MARKER``; when Sphinx
reads the page, the marker becomes one section per row of the module table
in ``vae_course``'s docstring (in its order, titled with its words and
chapters), holding an autodoc directive for every name of
``vae_course.__all__`` that the module defines, in source order. So the page
cannot list a name the package does not export or miss one it does: a name
of ``__all__`` whose module is not in the table stops the build.

``python tools/book_api.py`` prints the generated sections.
"""

from __future__ import annotations

import inspect
import re

MARKER = "<!-- generated: the reference sections (tools/book_api.py) -->"
DOCNAME = "book/api"


def module_table(doc: str) -> list[tuple[str, str, str]]:
    """``(module, what it holds, chapters)`` for each row of the table."""
    rules = [i for i, line in enumerate(doc.splitlines()) if "=====" in line]
    if len(rules) < 3:
        raise ValueError("vae_course's docstring has no module table")
    lines = doc.splitlines()
    widths = [len(cell) for cell in lines[rules[0]].split()]
    starts = [m.start() for m in re.finditer(r"=+", lines[rules[0]])]
    rows: list[list[str]] = []
    for line in lines[rules[1] + 1 : rules[2]]:
        cells = [
            line[start : start + width].strip()
            for start, width in zip(starts, widths, strict=True)
        ]
        if cells[0]:
            rows.append(cells)
        elif rows:  # a continuation line of the previous row
            rows[-1][1] += " " + cells[1]
    return [(m.strip("`"), what, chapters) for m, what, chapters in rows]


def _chapters(text: str) -> str:
    if text == "all":
        return "Every chapter"
    numbers = [n.strip() for n in text.split(",") if n.strip()]
    if len(numbers) == 1:
        return f"Chapter {numbers[0]}"
    return f"Chapters {', '.join(numbers[:-1])} and {numbers[-1]}"


def _directive(path: str, obj) -> str:
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return f".. autoexception:: {path}"
    if inspect.isclass(obj):
        return f".. autoclass:: {path}\n   :members:"
    if inspect.isfunction(obj) or callable(obj):
        return f".. autofunction:: {path}"
    return f".. autodata:: {path}\n   :no-value:"


def _line(obj) -> float:
    try:
        return inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return float("inf")  # data: after the functions and classes


def generated_sections() -> str:
    """The page's reference sections, as MyST Markdown."""
    import vae_course

    by_module: dict[str, list[tuple[float, str, object]]] = {}
    for name in vae_course.__all__:
        obj = getattr(vae_course, name)
        module = getattr(obj, "__module__", None)
        if not isinstance(module, str) or not module.startswith("vae_"):
            module = _defining_module(vae_course, name)
        by_module.setdefault(module, []).append((_line(obj), name, obj))
    table = module_table(vae_course.__doc__)
    missing = set(by_module) - {f"vae_course.{m}" for m, _, _ in table}
    if missing:
        raise ValueError(
            f"vae_course exports names from {sorted(missing)}, which the "
            "module table of vae_course/__init__.py does not list"
        )
    parts = []
    for module, what, chapters in table:
        full = f"vae_course.{module}"
        parts.append(
            f"## `{module}`: {what}\n\n"
            f"*{_chapters(chapters)}; module `{full}`.*\n\n"
            f"```{{eval-rst}}\n.. automodule:: {full}\n   :no-members:\n```\n"
        )
        for _, name, obj in sorted(by_module.get(full, []), key=_order):
            directive = _directive(f"{full}.{name}", obj)
            parts.append(f"```{{eval-rst}}\n{directive}\n```\n")
    return "\n".join(parts)


def _order(entry) -> tuple:
    return entry[0], entry[1]


def _defining_module(package, name: str) -> str:
    """The module whose source assigns ``name`` (for data like dicts)."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if getattr(module, name, None) is getattr(package, name) and re.search(
            rf"^{name}\b", inspect.getsource(module), flags=re.MULTILINE
        ):
            return module.__name__
    raise ValueError(f"no module of vae_course defines {name}")


def documented_names(text: str) -> dict[str, str]:
    """``{name: "vae_course.module.name"}`` for each directive in text."""
    found = re.findall(
        r"^\.\. auto(?:function|class|exception|data):: (vae_course\.[\w.]+)$",
        text,
        flags=re.MULTILINE,
    )
    return {path.rsplit(".", 1)[1]: path for path in found}


def _fill(app, docname: str, source: list[str]) -> None:
    if docname == DOCNAME:
        if MARKER not in source[0]:
            raise ValueError(f"{DOCNAME}.md has lost its marker {MARKER}")
        source[0] = source[0].replace(MARKER, generated_sections())


def setup(app):
    app.connect("source-read", _fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    print(generated_sections())
