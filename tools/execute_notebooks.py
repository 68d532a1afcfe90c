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

import sys
import time
from pathlib import Path

import nbformat
from book_toc import chapter_notebooks, use_notebook_env  # tools/book_toc.py
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path, timeout: int = 1200) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,  # no execution timestamps in the stored notebooks
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    # One stream output per cell and stream, however the kernel happened to flush it, so that
    # re-running a chapter changes only what really changed.
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    use_notebook_env()
    paths = [Path(a).resolve() for a in argv] or chapter_notebooks()
    if not paths:
        print("no notebooks found in _toc.yml", file=sys.stderr)
        return 1
    for path in paths:
        seconds = execute(path)
        print(
            f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
