"""Generate the student version of every chapter with nbgrader: no database, no server.

Usage (after ``pip install -e .[instructor]`` in the repository)::

    python -m grading.assignments                      # every chapter -> release/
    python -m grading.assignments book/04_training.ipynb --out /tmp/handout
    python -m grading.assignments --overwrite          # rebuild release/ after a change

The chapter notebooks in ``book/`` are the only copy of the course. This module assembles
nbgrader's course layout (``source/<chapter>/<chapter>.ipynb``) in a temporary folder, runs
nbgrader's ``generate_assignment`` there without a gradebook (what ``--no-db`` does on the
command line) and copies the result to ``release/<chapter>/<chapter>.ipynb``:

- the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
  ``raise NotImplementedError()``;
- the lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are removed;
- outputs (and saved widget state) are cleared; every other cell, the Colab install cell
  included, is kept, plus a short note to the student under the chapter's title.

``release/`` is git-ignored: it is what students get, and it is rebuilt from ``book/``
(``--overwrite`` replaces the chapters' folders there; without it an existing one is an error).
A marker that is misspelt, misplaced or left open is an error too: nbgrader would ship it.
Settings shared with the grader (``python -m grading``) live in ``instructors/nbgrader_config.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from grading.course import CONFIG_FILE, ROOT, chapter_notebooks

DEFAULT_OUT = ROOT / "release"

STUDENT_NOTE = """\
**Student version.** In each exercise below, replace `raise NotImplementedError()` with your \
answer. The cell after it checks your answer; grading runs further checks that are not shown \
here. Keep the exercise cells where they are (do not delete, split or copy them), restart the \
kernel and run all cells, then hand in this `.ipynb` file."""


def assignment_id(chapter: Path) -> str:
    """nbgrader's name for a chapter's assignment (and notebook): the file name without .ipynb."""
    return chapter.stem


def grade_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The checks cells (nbgrader grade cells) of a notebook, in order."""
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def solution_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The solution cells (nbgrader solution cells) of a notebook, in order."""
    return [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
    ]


def nbgrader_config() -> Config:
    """The course's nbgrader configuration (``instructors/nbgrader_config.py``)."""
    return PyFileConfigLoader(
        CONFIG_FILE.name, path=str(CONFIG_FILE.parent)
    ).load_config()


# nbgrader's converters log every step, and every failure with a long traceback; they get this
# logger, which nbgrader_failures turns into one line per problem.
NBGRADER_LOG = logging.getLogger("vae_course.assignments.nbgrader")
NBGRADER_LOG.propagate = False
NBGRADER_LOG.addHandler(logging.NullHandler())


class AssignmentError(Exception):
    """nbgrader could not process a chapter (malformed exercise cells, usually)."""


_GENERIC = (
    "Please see the",
    "There was an error processing",
)  # nbgrader's words that say nothing


class _Failures(logging.Handler):
    """Collects the errors nbgrader logs, to report them in one line instead of long tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        lines = [
            line.strip()
            for line in record.getMessage().splitlines()
            if line.strip()
        ]
        if lines and lines[0].startswith(
            "Traceback"
        ):  # keep the exception line of a traceback
            lines = lines[-1:]
        message = " ".join(lines)
        if (
            message
            and message not in self.messages
            and not message.startswith(_GENERIC)
        ):
            self.messages.append(message)


# nbgrader's converters change the process's working directory while they
# run (and go back to the one they found): two at once in one process (the
# grader's --jobs threads, the fairness tests) would each "go back" to the
# other's temporary folder, which is then deleted, and every later step of
# the process would fail. So one nbgrader run at a time, and the working
# directory is always restored.
_NBGRADER_LOCK = threading.Lock()


@contextlib.contextmanager
def nbgrader_failures(what: str):
    """Run nbgrader (logging to NBGRADER_LOG) quietly; turn a failure into an AssignmentError.

    Only one nbgrader run at a time in this process (threads wait), and the
    working directory is the same afterwards.
    """
    with _NBGRADER_LOCK:
        cwd = os.getcwd()
        try:
            with _reported_failures(what):
                yield
        finally:
            os.chdir(cwd)


@contextlib.contextmanager
def _reported_failures(what: str):
    failures = _Failures()
    NBGRADER_LOG.addHandler(failures)
    try:
        yield
    except Exception as error:
        root = error
        while root.__cause__ or root.__context__:
            root = root.__cause__ or root.__context__
        details = failures.messages
        if not str(root).startswith(_GENERIC) or not details:
            details = details + [f"{type(root).__name__}: {root}"]
        details = [" ".join(m.split()) for m in dict.fromkeys(details)]
        raise AssignmentError(f"{what}: " + " | ".join(details)) from error
    finally:
        NBGRADER_LOG.removeHandler(failures)


MARKERS = {
    "### BEGIN SOLUTION": ("solution", "begin"),
    "### END SOLUTION": ("solution", "end"),
    "### BEGIN HIDDEN TESTS": ("hidden", "begin"),
    "### END HIDDEN TESTS": ("hidden", "end"),
}
# what nbgrader looks for inside a line (it matches a marker anywhere in it)
_MARKER_WORDS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
)
_LOOKS_LIKE_MARKER = re.compile(r"\b(BEGIN|END|SOLUTION|HIDDEN|TESTS?)\b")


def marker_problems(chapter: Path) -> list[str]:
    """What is wrong with the nbgrader markers of a chapter ([] when nothing).

    A comment line that looks like a marker (BEGIN, END, SOLUTION, HIDDEN in capitals, or
    close in spelling to a marker) must be one of the four markers exactly, and so must any
    code line that mentions one (nbgrader matches a marker anywhere in a line: a comment or
    an assert message saying ``END HIDDEN TESTS`` would ship the rest of the block); solution markers
    belong in solution cells and hidden-test markers in checks cells; each BEGIN has its END,
    without nesting. nbgrader itself would pass a misspelt marker through as an ordinary
    comment, shipping the hidden tests (or the solution) to the students.
    """
    problems = []
    nb = nbformat.read(chapter, as_version=4)
    for number, cell in enumerate(nb.cells, 1):
        meta = cell.metadata.get("nbgrader", {})
        where = f"{chapter.name}, cell {number} ({meta.get('grade_id', 'no grade_id')})"
        kind = (
            "solution"
            if meta.get("solution")
            else "hidden"
            if meta.get("grade")
            else None
        )
        open_block = None
        for line_number, line in enumerate(cell.source.splitlines(), 1):
            text = line.strip()
            mentioned = [m for m in _MARKER_WORDS if m in text.upper()]
            if mentioned and text not in MARKERS and cell.cell_type == "code":
                # nbgrader takes any line that contains a marker for the
                # marker: the rest of the block would reach the students
                problems.append(
                    f"{where}, line {line_number}: {text[:80]!r} mentions "
                    f"{mentioned[0]!r}; a marker must be a line of its own "
                    "(nbgrader would end or begin a block here)"
                )
                continue
            if not text.startswith("#"):
                continue
            if text not in MARKERS:
                close = difflib.get_close_matches(
                    text.upper(), list(MARKERS), n=1, cutoff=0.75
                )
                if close or (
                    text.startswith("##")
                    and _LOOKS_LIKE_MARKER.search(text.lstrip("# "))
                ):
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    problems.append(
                        f"{where}, line {line_number}: unknown marker {text!r}{hint}"
                    )
                continue
            block, edge = MARKERS[text]
            if block != kind:
                problems.append(
                    f"{where}, line {line_number}: {text!r} belongs in a "
                    f"{'solution' if block == 'solution' else 'checks'} cell"
                )
            elif edge == "begin" and open_block:
                problems.append(
                    f"{where}, line {line_number}: {text!r} inside another block"
                )
            elif edge == "end" and open_block != block:
                problems.append(
                    f"{where}, line {line_number}: {text!r} without its BEGIN"
                )
            open_block = block if edge == "begin" else None
        if open_block:
            problems.append(
                f"{where}: a BEGIN {open_block.upper()} block is never ended"
            )
    return problems


def assemble_course(course_root: Path, chapters: list[Path]) -> None:
    """Write nbgrader's ``source/<chapter>/<chapter>.ipynb`` layout for ``chapters`` under ``course_root``."""
    for chapter in chapters:
        nb = nbformat.read(chapter, as_version=4)
        nb.metadata.pop(
            "widgets", None
        )  # saved widget state belongs to the book's outputs
        for cell in nb.cells:
            cell.metadata.pop("execution", None)  # nbclient's timing records
        first_is_title = nb.cells and nb.cells[0].cell_type == "markdown"
        note = new_markdown_cell(STUDENT_NOTE)
        note.id = "student-version-note"
        nb.cells.insert(1 if first_is_title else 0, note)
        name = assignment_id(chapter)
        folder = course_root / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")


def generate_assignment(
    course_root: Path, name: str, db_url: str | None = None
) -> Path:
    """Run nbgrader's generate_assignment for one assembled chapter; return the student notebook.

    Without ``db_url`` nothing is saved in a gradebook (``nbgrader generate_assignment --no-db``);
    with it, the grade cells and the full source of the checks cells, hidden tests included, are
    recorded there, which is what nbgrader's autograde restores them from.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.assignment_id = name
    if db_url is None:
        config.SaveCells.enabled = False
        config.GenerateAssignment.no_database = True
    else:
        config.CourseDirectory.db_url = db_url
    coursedir = CourseDirectory(config=config)
    with nbgrader_failures(
        f"nbgrader could not make the student version of {name}"
    ):
        GenerateAssignment(
            coursedir=coursedir, config=config, log=NBGRADER_LOG
        ).start()
    return course_root / "release" / name / f"{name}.ipynb"


class OutputExists(Exception):
    """The output folder of a chapter exists and replacing it was not asked for."""


def make_release(
    chapters: list[Path], out: Path, overwrite: bool = False
) -> list[Path]:
    """Write the student version of each chapter to ``out/<chapter>/<chapter>.ipynb``.

    Refuses (AssignmentError) when a chapter's markers are wrong, and (OutputExists) when
    ``out/<chapter>`` exists, unless ``overwrite``; nothing else in ``out`` is ever touched.
    """
    problems = [p for chapter in chapters for p in marker_problems(chapter)]
    if problems:
        raise AssignmentError(
            "bad nbgrader markers:\n  " + "\n  ".join(problems)
        )
    existing = [
        out / assignment_id(c)
        for c in chapters
        if (out / assignment_id(c)).exists()
    ]
    if existing and not overwrite:
        raise OutputExists(
            "these folders exist already: "
            + ", ".join(_shown(e) for e in existing)
            + "; pass --overwrite to replace them (nothing else in the folder is touched)"
        )
    written = []
    with tempfile.TemporaryDirectory(prefix="vae-course-assignments-") as tmp:
        course_root = Path(tmp)
        assemble_course(course_root, chapters)
        for chapter in chapters:
            name = assignment_id(chapter)
            student = generate_assignment(course_root, name)
            target = out / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(student.parent, target)
            for path in target.rglob(
                "*"
            ):  # nbgrader may leave the copies read-only
                path.chmod(0o755 if path.is_dir() else 0o644)
            written.append(target / student.name)
    return written


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "chapters",
        nargs="*",
        type=Path,
        help="chapter notebooks (default: every chapter of book/ with exercises)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="release folder (default: release/ at the repository root)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the chapters' folders in the release folder if they exist",
    )
    args = parser.parse_args(argv)

    chapters = [p.resolve() for p in args.chapters] or chapter_notebooks()
    if not chapters:
        print(
            "no chapter notebooks with exercises found in book/",
            file=sys.stderr,
        )
        return 1
    without = [
        c for c in chapters if not grade_cells(nbformat.read(c, as_version=4))
    ]
    if without:
        names = ", ".join(_shown(c) for c in without)
        print(
            f"no exercises (nbgrader checks cells) in {names}", file=sys.stderr
        )
        return 1
    try:
        written = make_release(chapters, args.out.resolve(), args.overwrite)
    except (AssignmentError, OutputExists) as error:
        print(error, file=sys.stderr)
        return 1
    for path in written:
        checks = grade_cells(nbformat.read(path, as_version=4))
        points = sum(float(c.metadata.nbgrader["points"]) for c in checks)
        print(f"{_shown(path)}: {len(checks)} exercises, {points:g} points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
