"""The first code cell of every chapter notebook: install the course package when running in Colab.

The repository URL and the branch are kept in one place, ``_config.yml`` (``repository: url`` and
``repository: branch``), which also drives the website's Colab launch buttons. This tool renders the
canonical cell from there, checks the notebooks against it and can rewrite them.

Usage (from the repository root)::

    python tools/colab_cell.py            # print the canonical cell
    python tools/colab_cell.py --check    # exit 1 if a chapter's first code cell differs
    python tools/colab_cell.py --fix      # rewrite the first code cell of every chapter that differs
    python tools/colab_cell.py --check book/01_recap.ipynb   # only these notebooks

The cell does nothing outside Colab. In Colab it runs
``pip install "vae-course @ git+<repository url>@<branch>"``: the package declares only loose lower
bounds on its dependencies, so pip keeps the torch that Colab ships.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml
from book_toc import chapter_notebooks  # tools/book_toc.py

ROOT = Path(__file__).resolve().parents[1]

DISTRIBUTION = "vae-course"
"""The distribution name in pyproject.toml (the import name is ``vae_course``)."""

TAG = "colab-install"
"""Cell tag of the install cell."""

HIDDEN_TAG = "remove-cell"
"""Jupyter Book's tag that leaves the install cell off the website: it is for Colab only (it stays
the first code cell of the notebook, which is what Colab runs)."""

TEMPLATE = """\
# Runs only in Google Colab: installs the course package there and keeps
# Colab's own torch. Anywhere else this cell does nothing.
import subprocess
import sys

try:
    import google.colab  # noqa: F401
except ImportError:
    pass
else:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "{requirement}",
        ],
        check=True,
    )"""


def repository(root: Path = ROOT) -> tuple[str, str]:
    """Return ``(url, branch)`` of the repository, read from ``_config.yml``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    branch = str(repo.get("branch", "main"))
    if not url.startswith("https://github.com/"):
        raise ValueError(
            f"_config.yml: repository url must be a https://github.com/ URL, got {url!r}"
        )
    return url, branch


def package_url(root: Path = ROOT) -> str:
    """The pip URL of the package on the repository's branch, e.g. ``git+https://github.com/o/r@main``."""
    url, branch = repository(root)
    return f"git+{url}@{branch}"


def requirement(root: Path = ROOT) -> str:
    """The pip requirement the cell installs: ``vae-course @ git+<url>@<branch>``."""
    return f"{DISTRIBUTION} @ {package_url(root)}"


def cell_source(root: Path = ROOT) -> str:
    """The exact source text of the install cell (no trailing newline, as Jupyter stores it)."""
    return TEMPLATE.format(requirement=requirement(root))


def first_code_cell(
    nb: nbformat.NotebookNode,
) -> tuple[int, nbformat.NotebookNode] | tuple[None, None]:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            return index, cell
    return None, None


def problems(path: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with the install cell of one notebook (empty list: nothing)."""
    nb = nbformat.read(path, as_version=4)
    _, cell = first_code_cell(nb)
    name = path.relative_to(root) if path.is_relative_to(root) else path
    if cell is None:
        return [
            f"{name}: no code cell (the first code cell must be the Colab install cell)"
        ]
    found: list[str] = []
    if cell.source != cell_source(root):
        found.append(
            f"{name}: the first code cell is not the Colab install cell "
            f"(run `python tools/colab_cell.py --fix`)"
        )
    tags = cell.get("metadata", {}).get("tags", [])
    for tag in (TAG, HIDDEN_TAG):
        if tag not in tags:
            found.append(f"{name}: the install cell lacks the tag {tag!r}")
    if cell.get("outputs"):
        found.append(
            f"{name}: the install cell has outputs (it must print nothing outside Colab)"
        )
    return found


def fix(path: Path, root: Path = ROOT) -> bool:
    """Make the first code cell of ``path`` the canonical install cell. Return True if the file changed.

    A first code cell that mentions ``google.colab`` is taken to be an (outdated) install cell and is
    rewritten in place; otherwise a new install cell is inserted before the first code cell.
    """
    nb = nbformat.read(path, as_version=4)
    index, cell = first_code_cell(nb)
    source = cell_source(root)
    if cell is not None and "google.colab" in cell.source:
        before = (
            cell.source,
            list(cell.metadata.get("tags", [])),
            len(cell.get("outputs", [])),
        )
        cell.source = source
        tags = cell.metadata.setdefault("tags", [])
        for tag in (TAG, HIDDEN_TAG):
            if tag not in tags:
                tags.append(tag)
        cell.outputs = []
        changed = before != (cell.source, list(tags), 0)
    else:
        new = nbformat.v4.new_code_cell(
            source, metadata={"tags": [TAG, HIDDEN_TAG]}
        )
        ids = {c.get("id") for c in nb.cells}
        if TAG not in ids:
            new.id = TAG
        nb.cells.insert(len(nb.cells) if index is None else index, new)
        changed = True
    if changed:
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check",
        action="store_true",
        help="report notebooks whose install cell differs",
    )
    group.add_argument(
        "--fix",
        action="store_true",
        help="rewrite the install cell where it differs",
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="default: every notebook in _toc.yml",
    )
    args = parser.parse_args(argv)

    if not (args.check or args.fix):
        print(cell_source())
        return 0
    paths = [p.resolve() for p in args.notebooks] or chapter_notebooks()
    if not paths:
        print("no chapter notebooks found in _toc.yml", file=sys.stderr)
        return 1
    if args.fix:
        for path in paths:
            if fix(path):
                print(f"rewrote the install cell of {path.relative_to(ROOT)}")
        return 0
    found = [message for path in paths for message in problems(path)]
    for message in found:
        print(message, file=sys.stderr)
    if not found:
        print(
            f"{len(paths)} notebooks start with the Colab install cell for {requirement()}"
        )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
