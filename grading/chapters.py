"""Chapters and submissions: a chapter's exercises, and a submission's answer cells.

A chapter (``book/<chapter>.ipynb``) has the cells before its first exercise (the *prefix*,
run once before the exercises) and, for each exercise, the reference solution cell (its
nbgrader ``grade_id`` ends in ``-solution``) and the checks cells below it. A submission
counts only through its answer cells, found by ``grade_id`` or, when an editor dropped the
metadata, by their place above a checks cell (``restore_metadata``).
"""

from __future__ import annotations

import ast
import copy
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.warnings import MissingIDFieldWarning

from grading.assignments import assignment_id, grade_cells, solution_cells
from grading.judge import earlier_parts


class GradingError(Exception):
    """A submission that could not be graded (unknown chapter, unreadable notebook)."""


@dataclass
class Exercise:
    grade_id: str  # "ch1-ex1"
    names: list[str]  # what the reference solution defines
    checks: list[tuple[str, str, float]]  # (checks grade_id, source, points)
    reference: str  # the reference solution cell
    # seconds this exercise may take (the solution cell's
    # metadata["vae_course"]["time_limit"]); None: the grader's limit
    time_limit: float | None = None


@dataclass
class Chapter:
    path: Path
    prefix: list[str]  # code cells before the first exercise
    exercises: list[Exercise]
    # the text of every cell of the chapter (normalized), and of those before
    # its first exercise cell: a submission's other code cells are the
    # student's own (helper cells, see student_answers)
    texts: frozenset[str] = frozenset()
    before: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return assignment_id(self.path)


def _defined_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _time_limit(cell, path) -> float | None:
    value = cell.metadata.get("vae_course", {}).get("time_limit")
    if value is None:
        return None
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not 0 < value < 86400
    ):
        raise GradingError(
            f"{path}: {cell.metadata['nbgrader']['grade_id']}: its time_limit "
            f"must be a number of seconds more than 0, got {value!r}"
        )
    return float(value)


def read_chapter(path: Path) -> Chapter:
    """The chapter's cells before its exercises, and each exercise's answer and checks cells."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    first = next(
        (i for i, c in enumerate(cells) if "nbgrader" in c.metadata), None
    )
    if first is None:
        raise GradingError(f"{path}: no exercises (nbgrader cells)")
    prefix = [
        c.source
        for c in cells[:first]
        if c.cell_type == "code"
        and "colab-install" not in c.metadata.get("tags", [])
    ]
    exercises: list[Exercise] = []
    for cell in cells[first:]:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            grade_id = meta["grade_id"].removesuffix("-solution")
            exercises.append(
                Exercise(
                    grade_id,
                    _defined_names(cell.source),
                    [],
                    cell.source,
                    _time_limit(cell, path),
                )
            )
        elif meta.get("grade"):
            if not exercises:
                raise GradingError(
                    f"{path}: checks cell {meta['grade_id']} has no answer cell above it"
                )
            exercises[-1].checks.append(
                (meta["grade_id"], cell.source, float(meta["points"]))
            )
    texts = frozenset(_normalized(c.source) for c in cells) - {""}
    before = frozenset(_normalized(c.source) for c in cells[:first]) - {""}
    return Chapter(Path(path), prefix, exercises, texts, before)


def part_references(chapter: Chapter) -> dict[str, str]:
    """The reference solutions of the parts that a later part follows, by
    grade_id (``ch4-ex5a`` when there is a ``ch4-ex5b``): the judge grades
    the later part with them (grading/judge.py ``_bind_references``)."""
    ids = [e.grade_id for e in chapter.exercises]
    needed = {p for parts in earlier_parts(ids).values() for p in parts}
    return {
        e.grade_id: e.reference
        for e in chapter.exercises
        if e.grade_id in needed
    }


def _grade_ids(nb: nbformat.NotebookNode) -> set[str]:
    return {c.metadata.nbgrader["grade_id"] for c in grade_cells(nb)}


def identify_chapter(
    nb: nbformat.NotebookNode, path: Path, chapters: list[Path]
) -> Path:
    """The chapter a submission belongs to: by its exercises' grade_ids, else by the cells it
    shares with a chapter (the text, unchanged in the student version), else by its file name."""
    sources = {ch: nbformat.read(ch, as_version=4) for ch in chapters}
    ids = _grade_ids(nb)
    texts = {_normalized(c.source) for c in nb.cells} - {""}
    for overlap in (
        lambda ch: len(ids & _grade_ids(sources[ch])),
        lambda ch: len(
            texts & {_normalized(c.source) for c in sources[ch].cells}
        ),
    ):
        counts = {ch: overlap(ch) for ch in chapters}
        best = max(counts, key=counts.get, default=None)
        if (
            best is not None
            and counts[best] > 0
            and list(counts.values()).count(counts[best]) == 1
        ):
            return best
    by_name = [ch for ch in chapters if assignment_id(ch) in path.name]
    if len(by_name) == 1:
        return by_name[0]
    raise GradingError(
        f"{path}: cannot tell which chapter this is; pass --chapter"
    )


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def restore_metadata(
    submission: nbformat.NotebookNode, student: nbformat.NotebookNode
) -> list[str]:
    """Give back the nbgrader metadata that an editor may have dropped from a submission.

    ``student`` is the generated student version. A checks cell without metadata is recognised
    by its text (students cannot change it in Jupyter: it is locked), and the nearest code cell
    above it without metadata is taken as its solution cell. Returns the grade_ids restored.
    """
    present = _grade_ids(submission) | {
        c.metadata.nbgrader["grade_id"] for c in solution_cells(submission)
    }
    restored = []
    cells = submission.cells
    for index, reference in enumerate(student.cells):
        meta = reference.metadata.get("nbgrader", {})
        if not meta.get("grade") or meta["grade_id"] in present:
            continue
        matches = [
            i
            for i, c in enumerate(cells)
            if "nbgrader" not in c.metadata
            and c.cell_type == reference.cell_type
            and _normalized(c.source) == _normalized(reference.source)
        ]
        if not matches:
            continue
        at = matches[0]
        cells[at].metadata["nbgrader"] = copy.deepcopy(meta)
        restored.append(meta["grade_id"])
        above = student.cells[index - 1] if index > 0 else None
        above_meta = (
            above.metadata.get("nbgrader", {}) if above is not None else {}
        )
        if (
            above_meta.get("solution")
            and above_meta["grade_id"] not in present
        ):
            for i in range(at - 1, -1, -1):
                if (
                    cells[i].cell_type == "code"
                    and "nbgrader" not in cells[i].metadata
                ):
                    cells[i].metadata["nbgrader"] = copy.deepcopy(above_meta)
                    restored.append(above_meta["grade_id"])
                    break
    return restored


def helper_cells(
    nb: nbformat.NotebookNode, chapter: Chapter
) -> dict[int, list[str]]:
    """The code cells a student added among the exercises, by the index (in
    ``nb.cells``) of the answer cell below them.

    A cell is the student's own when it is a code cell without nbgrader
    metadata whose text is no cell of the chapter (the chapter's cells, edited
    or not, are the instructor's), below the last cell of the chapter's part
    before its exercises (``Chapter.before``). Cells below the last answer
    cell belong to no exercise and are not run.
    """
    cells = nb.cells
    start = max(
        (
            i
            for i, c in enumerate(cells)
            if _normalized(c.source) in chapter.before
        ),
        default=-1,
    )
    pending: list[str] = []
    found: dict[int, list[str]] = {}
    for index in range(start + 1, len(cells)):
        cell = cells[index]
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            if pending:
                found[index] = pending
            pending = []
        elif (
            "nbgrader" not in cell.metadata
            and _normalized(cell.source)
            and _normalized(cell.source) not in chapter.texts
        ):
            pending.append(cell.source)
    return found


def student_answers(
    nb: nbformat.NotebookNode, chapter: Chapter
) -> tuple[dict[str, str | list[str]], list[str]]:
    """The submission's answer for each exercise, by grade_id; and notes for the report.

    An answer is its answer cell's source or, when the student added code cells
    above it (helper functions, see ``helper_cells``), the list of those cells'
    sources in notebook order followed by the answer cell's. They run in the
    sandbox as part of the answer. Every other cell of the submission (the
    chapter's text and demonstrations, the checks cells) is the instructor's,
    taken from ``book/``.
    """
    answers: dict[str, str | list[str]] = {}
    notes = []
    helpers = helper_cells(nb, chapter)
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        grade_id = str(meta.get("grade_id", "")).removesuffix("-solution")
        if grade_id in answers:
            notes.append(
                f"{grade_id}: several answer cells; the first one was graded"
            )
            continue
        added = helpers.get(index, [])
        answers[grade_id] = [*added, cell.source] if added else cell.source
    return answers, notes


MAX_NOTEBOOK = 64 << 20  # bytes: a larger submission is not read


def check_cells(nb: nbformat.NotebookNode, path: Path) -> None:
    """Refuse a notebook whose cells the grader cannot read, naming the cell."""
    if not isinstance(nb.get("cells"), list):
        raise GradingError(f"{path}: not a notebook (no list of cells)")
    for number, cell in enumerate(nb.cells, 1):
        where = f"{path}: cell {number}"
        if not isinstance(cell, dict) or not isinstance(
            cell.get("source"), str
        ):
            raise GradingError(f"{where}: its source is not text")
        if not isinstance(cell.get("metadata", {}), dict):
            raise GradingError(f"{where}: its metadata is not a mapping")
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict):
            raise GradingError(
                f"{where}: its nbgrader metadata is not a mapping"
            )
        if (meta.get("grade") or meta.get("solution")) and not isinstance(
            meta.get("grade_id"), str
        ):
            raise GradingError(
                f"{where}: an exercise cell without a text grade_id "
                f"(got {type(meta.get('grade_id')).__name__})"
            )
        if meta.get("grade"):
            try:
                float(meta.get("points"))
            except (TypeError, ValueError):
                raise GradingError(
                    f"{where}: a checks cell whose points are not a number"
                ) from None


def load_submission(
    path: Path, chapter_path: Path | None, chapters: list[Path]
) -> tuple[nbformat.NotebookNode, Path]:
    """Read a submission and tell its chapter; GradingError (naming the file) when it cannot."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK:
            raise GradingError(
                f"{path}: a notebook of {size >> 20} MiB; at most "
                f"{MAX_NOTEBOOK >> 20} MiB are read"
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=MissingIDFieldWarning)
            warnings.filterwarnings("ignore", module="nbformat")
            nb = nbformat.read(path, as_version=4)
    except GradingError:
        raise
    except Exception as error:  # noqa: BLE001  (any unreadable file)
        raise GradingError(
            f"{path}: not a readable notebook ({type(error).__name__}: {error})"
        ) from None
    check_cells(nb, path)
    if chapter_path is None:
        chapter_path = identify_chapter(nb, path, chapters)
    return nb, chapter_path
