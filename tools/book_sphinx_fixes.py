"""A small Sphinx extension for the course website (loaded from _config.yml: sphinx.local_extensions).

0. The site's own style sheet, tools/book_static/code-column.css: code and outputs fit the column.

1. Saved widgets (progress bars, sliders) are drawn on the static pages by ipywidgets' HTML manager
and require.js. myst-nb loads both from CDNs; when tools/setup_env.sh has fetched them from the npm
registry into ``<venv>/share/vae-course/widgets`` (it does when npm is on the machine), the site
ships its own copy instead, so widgets show offline and at a pinned version. Without that folder
the CDN defaults stay.

2. Sphinx 7.4 registers an inline ``<script>`` that an extension adds during ``builder-inited`` twice (once
with the file name ``None``, once with ``''``). The duplicate of sphinx-thebe's configuration script
redeclares ``const THEBE_JS_URL`` and the browser reports ``Uncaught SyntaxError: Identifier
'THEBE_JS_URL' has already been declared`` on every page. This drops the second copy of any script.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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


def setup(app):
    app.connect("config-inited", _add_static_folder)
    app.connect("config-inited", _use_local_widget_js)
    app.add_css_file("code-column.css")
    app.connect("html-page-context", _deduplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
