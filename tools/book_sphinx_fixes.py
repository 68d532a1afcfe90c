"""A small Sphinx extension for the course website (loaded from _config.yml: sphinx.local_extensions).

Sphinx 7.4 registers an inline ``<script>`` that an extension adds during ``builder-inited`` twice (once
with the file name ``None``, once with ``''``). The duplicate of sphinx-thebe's configuration script
redeclares ``const THEBE_JS_URL`` and the browser reports ``Uncaught SyntaxError: Identifier
'THEBE_JS_URL' has already been declared`` on every page. This drops the second copy of any script.
"""
from __future__ import annotations


def _key(script) -> tuple:
    filename = getattr(script, "filename", script) or None
    attributes = getattr(script, "attributes", {}) or {}
    return filename, getattr(script, "priority", None), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def _deduplicate_scripts(app, pagename, templatename, context, doctree) -> None:
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


def setup(app):
    app.connect("html-page-context", _deduplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
