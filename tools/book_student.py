"""The sources of the website's student edition (``bash tools/build_book.sh --student``).

Usage (from the repository root)::

    python tools/book_student.py _build/student-src
    jupyter-book build _build/student-src --all -W -n --keep-going --path-output _build/student

Writes a copy of the book into the given folder in which every chapter is its *student version*
(made by the instructors' assignment tool, ``MAKE_ASSIGNMENTS``: no solutions, no hidden tests,
exercise stubs) with the stored outputs of the cells that do not depend on an answer (every code
cell above the chapter's first exercise cell whose code is unchanged); the pages, the
configuration and the site's tools are linked or copied unchanged, except that

- the Colab buttons open the student notebooks at the repository and branch that
  ``instructors/student_edition.yml`` names (the one place an instructor sets them);
- ``vc_edition: student`` tells tools/book_sphinx_fixes.py not to collapse the exercise stubs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml
from book_toc import chapter_notebooks  # tools/book_toc.py

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "instructors" / "student_edition.yml"
MAKE_ASSIGNMENTS = [sys.executable, "-m", "grading.assignments"]
"""The command that writes the student versions (``--out FOLDER --overwrite``): the one place
that names the instructors' tool."""
LINKED = ["_toc.yml", "LICENSE", "tools", "vae_course", "README.md"]


def repository(settings: Path = SETTINGS) -> tuple[str, str]:
    """(url, branch) of the student notebooks, from instructors/student_edition.yml."""
    repo = yaml.safe_load(settings.read_text(encoding="utf-8"))["repository"]
    url, branch = str(repo["url"]).rstrip("/"), str(repo["branch"])
    if not url.startswith("https://github.com/"):
        raise ValueError(
            f"{settings}: repository url must be https://github.com/..., got {url!r}"
        )
    return url, branch


def with_answer_free_outputs(student, public):
    """``student`` with the outputs of ``public``'s cells above the first exercise cell."""
    outputs = {}
    for cell in public.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader", {}).get("solution"):
            break
        outputs.setdefault(cell.source, (cell.outputs, cell.execution_count))
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader", {}).get("solution"):
            break
        if cell.source in outputs:
            cell.outputs, cell.execution_count = outputs[cell.source]
    # the saved widget state belongs to the outputs kept (progress bars, the explorer)
    if "widgets" in public.metadata:
        student.metadata["widgets"] = public.metadata["widgets"]
    return student


def make(out: Path) -> list[Path]:
    """Write the student edition's sources into ``out`` (replaced); return its chapters."""
    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)
    (out / "book").mkdir(parents=True)
    for name in LINKED:
        if (ROOT / name).exists():
            (out / name).symlink_to(ROOT / name)
    for path in (ROOT / "book").iterdir():
        if path.suffix != ".ipynb":
            (out / "book" / path.name).symlink_to(path)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url, branch = repository()
    config["title"] = f"{config['title']} (student edition)"
    config["repository"].update(url=url, branch=branch)
    config["sphinx"].setdefault("config", {})["vc_edition"] = "student"
    config["html"]["favicon"] = str(ROOT / config["html"]["favicon"])
    (out / "_config.yml").write_text(
        yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )
    release = out / "release"
    subprocess.run(
        [*MAKE_ASSIGNMENTS, "--out", str(release), "--overwrite"],
        cwd=ROOT,
        check=True,
    )
    chapters = []
    for public_path in chapter_notebooks():
        stem = public_path.stem
        student = nbformat.read(release / stem / f"{stem}.ipynb", as_version=4)
        public = nbformat.read(public_path, as_version=4)
        target = out / "book" / f"{stem}.ipynb"
        nbformat.write(with_answer_free_outputs(student, public), target)
        chapters.append(target)
    shutil.rmtree(release)
    return chapters


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for chapter in make(Path(sys.argv[1])):
        print(f"student edition: {chapter}")
