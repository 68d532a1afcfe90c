"""A small Sphinx extension for the course website (loaded from _config.yml: sphinx.local_extensions).

0. The site's own style sheets, tools/book_static/: code-column.css (code and outputs fit the
column at desktop widths) and reading.css (phones and narrow windows: wrapping, scroll shadows),
with wide-math.js (an inline formula wider than its line scrolls in its own box) and
search-text.js (search snippets show a formula's text, not its TeX); favicon.svg is the site's icon
(_config.yml).

1. Saved widgets (progress bars, sliders) are drawn on the static pages by ipywidgets' HTML manager
and require.js. myst-nb loads both from CDNs; when tools/setup_env.sh has fetched them from the npm
registry into ``<venv>/share/vae-course/widgets`` (it does when npm is on the machine), the site
ships its own copy instead, so widgets show offline and at a pinned version. Without that folder
the CDN defaults stay.

2. Sphinx 7.4 registers an inline ``<script>`` that an extension adds during ``builder-inited`` twice (once
with the file name ``None``, once with ``''``). The duplicate of sphinx-thebe's configuration script
redeclares ``const THEBE_JS_URL`` and the browser reports ``Uncaught SyntaxError: Identifier
'THEBE_JS_URL' has already been declared`` on every page. This drops the second copy of any script.

3. What the website shows of a notebook (``public_notebook``, applied to every notebook as Sphinx
reads it, so it holds for chapters added later without touching them):

- hidden tests are for grading only: the lines from ``### BEGIN HIDDEN TESTS`` to
  ``### END HIDDEN TESTS`` are dropped from every code cell, and the notebooks offered for
  download under ``_sources/`` are rewritten the same way when the build finishes;
- a solution cell (nbgrader ``solution``) is collapsed under "Show solution";
- a cell that mostly draws a figure (``FIGURE_LINES`` or more plotting lines, or at least half its
  code, and an image output) is collapsed under "Show the figure's code", so the prose, the maths
  and the figure lead.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat

WIDGETS_SUBDIR = "widgets"
STATIC = Path(__file__).parent / "book_static"
"""Files the site serves from _static/: widgets-paths.js and code-column.css (the code's font size,
so that 80 characters fit the text column)."""


def _widget_js_folder() -> Path | None:
    """``<prefix>/share/vae-course`` when it holds the widget JavaScript, else None."""
    prefixes = [os.environ.get("VIRTUAL_ENV"), sys.prefix]
    for prefix in filter(None, prefixes):
        folder = Path(prefix) / "share" / "vae-course"
        if (folder / WIDGETS_SUBDIR / "embed-amd.js").is_file() and (
            folder / WIDGETS_SUBDIR / "require.js"
        ).is_file():
            return folder
    return None


def _use_local_widget_js(app, config) -> None:
    folder = _widget_js_folder()
    if folder is None:
        return
    # Copied to _static/widgets/ (add_js_file resolves relative names against _static), with
    # _static/widgets-paths.js, which points require.js at that folder.
    config.html_static_path = [*config.html_static_path, str(folder)]
    config.nb_ipywidgets_js = {
        f"{WIDGETS_SUBDIR}/require.js": {},
        "widgets-paths.js": {},
        f"{WIDGETS_SUBDIR}/embed-amd.js": {
            "data-jupyter-widgets-cdn": "https://cdn.jsdelivr.net/npm/"
        },
    }


def _key(script) -> tuple:
    filename = getattr(script, "filename", script) or None
    attributes = getattr(script, "attributes", {}) or {}
    return (
        filename,
        getattr(script, "priority", None),
        tuple(sorted((k, str(v)) for k, v in attributes.items())),
    )


def _deduplicate_scripts(
    app, pagename, templatename, context, doctree
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _add_static_folder(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
HIDDEN_NOTE = "# (more checks are used in grading; they are not shown here)"
SOLUTION_PROMPTS = {
    "code_prompt_show": "Show solution",
    "code_prompt_hide": "Hide solution",
}
FIGURE_PROMPTS = {
    "code_prompt_show": "Show the figure's code",
    "code_prompt_hide": "Hide the figure's code",
}
FIGURE_LINES = 8
"""A cell with an image output and at least this many plotting lines is collapsed."""
_PLOTTING = re.compile(
    r"\b(plt|fig|ax|axes|axs|ax\d|ax_\w+)\b\s*[.\[]"
    r"|\b(imshow|subplots|colorbar|set_title|set_xlabel|set_ylabel|legend)\("
)
_HIDING_TAGS = {"hide-input", "remove-input", "remove-cell", "hide-cell"}


def drop_hidden_tests(source: str) -> str:
    """``source`` without the lines from HIDDEN_BEGIN to HIDDEN_END (a note in their place)."""
    if HIDDEN_BEGIN not in source:
        return source
    kept: list[str] = []
    hiding = False
    for line in source.splitlines():
        if line.strip().startswith(HIDDEN_BEGIN):
            hiding = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(indent + HIDDEN_NOTE)
        elif hiding and line.strip().startswith(HIDDEN_END):
            hiding = False
        elif not hiding:
            kept.append(line)
    return "\n".join(kept)


def is_figure_cell(cell) -> bool:
    """A code cell that draws a figure and mostly consists of plotting code."""
    images = any(
        key.startswith("image/")
        for output in cell.get("outputs", [])
        for key in output.get("data", {})
    )
    if not images:
        return False
    code = [
        line
        for line in cell.source.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    plotting = sum(1 for line in code if _PLOTTING.search(line))
    return plotting >= FIGURE_LINES or (code and 2 * plotting >= len(code))


def public_notebook(nb, edition: str = "public"):
    """The notebook as the website shows it (module docstring, point 3); changes ``nb`` in place.

    In the student edition (tools/book_student.py) the exercise cells hold stubs, not solutions:
    they stay open."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = drop_hidden_tests(cell.source)
        tags = list(cell.metadata.get("tags", []))
        prompts = None
        if cell.metadata.get("nbgrader", {}).get("solution"):
            if edition == "student":
                continue
            prompts = SOLUTION_PROMPTS
        elif is_figure_cell(cell):
            prompts = FIGURE_PROMPTS
        if prompts is not None:
            if not _HIDING_TAGS & set(tags):
                tags.append("hide-input")
            cell.metadata["tags"] = tags
            cell.metadata.setdefault("mystnb", {}).update(prompts)
    return nb


def _is_notebook(app, docname: str) -> bool:
    return str(app.env.doc2path(docname)).endswith(".ipynb")


def _public_source(app, docname, source) -> None:
    if _is_notebook(app, docname):
        nb = nbformat.reads(source[0], as_version=4)
        edition = app.config.vc_edition
        source[0] = nbformat.writes(public_notebook(nb, edition))


def _public_downloads(app, exception) -> None:
    """Rewrite the notebooks under ``_sources/`` as the pages show them."""
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir, "_sources").rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(public_notebook(nb, app.config.vc_edition), path)


def setup(app):
    # "public" (the website) or "student" (set by tools/book_student.py)
    app.add_config_value("vc_edition", "public", "env")
    app.connect("source-read", _public_source)
    app.connect("build-finished", _public_downloads)
    app.connect("config-inited", _add_static_folder)
    app.connect("config-inited", _use_local_widget_js)
    app.add_css_file("code-column.css")
    app.add_css_file("reading.css")
    app.add_js_file("wide-math.js", loading_method="defer")
    app.add_js_file("search-text.js", loading_method="defer", priority=900)
    app.connect("html-page-context", _deduplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
