"""The pages of the book, read from ``_toc.yml``, and how their notebooks are run outside CI.

``toc_files()`` gives every ``root``/``file`` entry in book order without its extension
(``book/intro``, ``book/01_recap``, ...); ``chapter_notebooks()`` the ones that are notebooks.
``use_notebook_env()`` sets the environment in which the tools run chapters: the CI profile
(as tools/run_tests.sh sets it for nbval) and matplotlib's inline backend in the kernel.
Used by tools/execute_notebooks.py, tools/colab_cell.py and the tests (the instructors'
tools in grading/ find the chapters themselves: grading/course.py).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
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
    return [
        str(Path(f).with_suffix("")) if f.endswith((".ipynb", ".md")) else f
        for f in files
    ]


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in ``_toc.yml`` that exist, in book order."""
    paths = [root / f"{name}.ipynb" for name in toc_files(root)]
    return [p for p in paths if p.exists()]


# The CI profile (vae_course/settings.py): offline digits, few epochs. Defaults: a caller may choose another.
NOTEBOOK_PROFILE = {"VAE_COURSE_PROFILE": "quick", "VAE_COURSE_OFFLINE": "1"}
# Always: a backend set in the user's shell (Agg, say) would keep the figures out of the notebooks.
NOTEBOOK_BACKEND = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def use_notebook_env(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set the environment that kernels started from here inherit (see the module docstring)."""
    for key, value in NOTEBOOK_PROFILE.items():
        environ.setdefault(key, value)
    environ.update(NOTEBOOK_BACKEND)
