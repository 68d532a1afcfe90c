"""Re-execute the book's notebooks in place, so their saved outputs come from a real run.

Usage (from the repository root, in the venv made by the README's commands)::

    python tools/execute_notebooks.py              # every chapter listed in _toc.yml
    python tools/execute_notebooks.py book/01_recap.ipynb

Runs each notebook top to bottom in its own folder (``book/``) with the CI profile
(``VAE_COURSE_PROFILE=quick``, offline digits) unless those variables are already set,
saves outputs *and* widget state (so progress bars and sliders show on the website),
and prints how long each notebook took.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def notebooks_in_toc() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    paths = [ROOT / (f if f.endswith(".ipynb") else f + ".ipynb") for f in files]
    return [p for p in paths if p.exists()]


def execute(path: Path, timeout: int = 1200) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    os.environ.setdefault("VAE_COURSE_PROFILE", "quick")
    os.environ.setdefault("VAE_COURSE_OFFLINE", "1")
    os.environ.pop("MPLBACKEND", None)  # let the kernel use the inline backend
    paths = [Path(a).resolve() for a in argv] or notebooks_in_toc()
    if not paths:
        print("no notebooks found in _toc.yml", file=sys.stderr)
        return 1
    for path in paths:
        seconds = execute(path)
        print(f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
