"""The pages of the book, read from ``_toc.yml``: the one list that every tool walks.

``toc_files()`` gives every ``root``/``file`` entry in book order without its extension
(``book/intro``, ``book/01_recap``, ...); ``chapter_notebooks()`` the ones that are notebooks.
Used by tools/execute_notebooks.py, tools/colab_cell.py, tools/make_assignments.py and the tests.
"""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files(root: Path = ROOT) -> list[str]:
    """Every ``root``/``file`` entry of ``_toc.yml``, in order, without extension."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    files.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [str(Path(f).with_suffix("")) if f.endswith((".ipynb", ".md")) else f for f in files]


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in ``_toc.yml`` that exist, in book order."""
    paths = [root / f"{name}.ipynb" for name in toc_files(root)]
    return [p for p in paths if p.exists()]
