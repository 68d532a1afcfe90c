"""Autograde submitted notebooks with nbgrader, hidden tests included, and print a score per exercise.

Usage (from the repository root, in the venv made by the README's commands)::

    python tools/grade.py submissions/alice/01_recap.ipynb
    python tools/grade.py submissions/                      # every .ipynb below the folder
    python tools/grade.py submissions/ --csv scores.csv --graded-dir graded/

Nothing to set up: for each submission this script builds nbgrader's course layout in a
temporary folder with a throw-away sqlite gradebook, records the chapter from ``book/`` in
it (``generate_assignment``), and runs nbgrader's ``autograde`` on the submission. Autograde
puts back the instructor's version of every checks cell (hidden tests included; a student
cannot weaken them), runs the notebook top to bottom, and gives an exercise its points when
its checks cell raises nothing.

The chapter is recognised from the exercises' ``grade_id``s (failing that, from the cells the
notebook shares with a chapter, or from its file name, e.g. "Copy of 01_recap.ipynb");
``--chapter`` names it explicitly. If an editor dropped the cells' nbgrader metadata, the checks
cells are found again by their text.

The notebooks run with the CI profile (``VAE_COURSE_PROFILE=quick``, offline digits) unless
those variables are already set, so a chapter grades in the time it takes to run it once.
``--graded-dir`` keeps the executed notebooks to read the failures; they contain the hidden
tests, so they are for the instructor, not for the students.
"""

from __future__ import annotations

import argparse
import copy
import csv
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.warnings import MissingIDFieldWarning

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_assignments as ma  # noqa: E402  (tools/make_assignments.py)
from book_toc import chapter_notebooks, use_notebook_env  # noqa: E402  (tools/book_toc.py)

STUDENT = "student"  # each submission gets its own temporary gradebook, so one id will do


class GradingError(Exception):
    """A submission that could not be graded (unknown chapter, nbgrader failure)."""


@dataclass
class ExerciseScore:
    grade_id: str
    score: float
    max_score: float
    error: str  # why points were lost ("" when the checks passed)

    @property
    def exercise(self) -> str:
        return self.grade_id.removesuffix("-checks")


@dataclass
class GradedSubmission:
    path: Path
    chapter: str
    scores: list[ExerciseScore]
    notebook: (
        nbformat.NotebookNode
    )  # as executed by the autograder (contains the hidden tests)
    restored: list[
        str
    ]  # grade_ids whose nbgrader metadata had to be found again

    @property
    def total(self) -> float:
        return sum(s.score for s in self.scores)

    @property
    def max_total(self) -> float:
        return sum(s.max_score for s in self.scores)

    def report(self) -> str:
        width = max([len("total")] + [len(s.exercise) for s in self.scores])
        lines = [f"{self.path} ({self.chapter})"]
        for s in self.scores:
            line = f"  {s.exercise:<{width}}  {s.score:g} / {s.max_score:g}"
            lines.append(f"{line}   {s.error}" if s.error else line)
        lines.append(
            f"  {'total':<{width}}  {self.total:g} / {self.max_total:g}"
        )
        if self.restored:
            lines.append(
                f"  (nbgrader metadata was missing and restored for: {', '.join(self.restored)})"
            )
        return "\n".join(lines)


def _grade_ids(nb: nbformat.NotebookNode) -> set[str]:
    return {c.metadata.nbgrader["grade_id"] for c in ma.grade_cells(nb)}


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
    by_name = [ch for ch in chapters if ma.assignment_id(ch) in path.name]
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
        c.metadata.nbgrader["grade_id"] for c in ma.solution_cells(submission)
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


def _failure(cell: nbformat.NotebookNode | None) -> str:
    if cell is None:
        return "checks cell missing"
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            message = f"{output.ename}: {output.evalue}".strip().rstrip(":")
            return message.splitlines()[0][:120] if message else output.ename
        if output.output_type == "stream" and output.name == "stderr":
            return "wrote to stderr (nbgrader gives no points for that)"
    return ""


def grade_notebook(
    path: Path, chapter: Path | None = None, chapters: list[Path] | None = None
) -> GradedSubmission:
    """Autograde one submitted notebook with nbgrader; return the score of each exercise."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    path = Path(path)
    submission = nbformat.read(path, as_version=4)
    if chapter is None:
        chapter = identify_chapter(
            submission, path, chapters or chapter_notebooks()
        )
    name = ma.assignment_id(chapter)
    with (
        tempfile.TemporaryDirectory(prefix="vae-course-grade-") as tmp,
        warnings.catch_warnings(),
    ):
        # nbgrader 0.9's gradebook code triggers harmless SQLAlchemy 2 "not in session" warnings
        warnings.filterwarnings("ignore", message=".* not in session")
        # a checks cell that autograde puts back has no cell id; nbformat fills one in
        warnings.filterwarnings("ignore", category=MissingIDFieldWarning)
        course_root = Path(tmp)
        db_url = f"sqlite:///{course_root / 'gradebook.db'}"
        ma.assemble_course(course_root, [chapter])
        student = nbformat.read(
            ma.generate_assignment(course_root, name, db_url=db_url),
            as_version=4,
        )
        restored = restore_metadata(submission, student)
        submitted = (
            course_root / "submitted" / STUDENT / name / f"{name}.ipynb"
        )
        submitted.parent.mkdir(parents=True)
        nbformat.write(submission, submitted)

        config = ma.nbgrader_config()
        config.CourseDirectory.root = str(course_root)
        config.CourseDirectory.db_url = db_url
        config.CourseDirectory.assignment_id = name
        config.CourseDirectory.student_id = STUDENT
        with ma.nbgrader_failures(f"{path}: nbgrader could not autograde it"):
            Autograde(
                coursedir=CourseDirectory(config=config),
                config=config,
                log=ma.NBGRADER_LOG,
            ).start()
        graded = nbformat.read(
            course_root / "autograded" / STUDENT / name / f"{name}.ipynb",
            as_version=4,
        )

        by_id = {
            c.metadata.nbgrader["grade_id"]: c for c in ma.grade_cells(graded)
        }
        with Gradebook(db_url) as gradebook:
            grades = {
                g.name: (g.score, g.max_score)
                for g in gradebook.find_submission_notebook(
                    name, name, STUDENT
                ).grades
            }
    order = [c.metadata.nbgrader["grade_id"] for c in ma.grade_cells(student)]
    scores = []
    for grade_id in order:
        score, max_score = grades[grade_id]
        error = _failure(by_id.get(grade_id)) if score < max_score else ""
        scores.append(
            ExerciseScore(grade_id, float(score), float(max_score), error)
        )
    return GradedSubmission(path, name, scores, graded, restored)


def _submissions(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*.ipynb")
                if ".ipynb_checkpoints" not in p.parts
            )
        else:
            found.append(path)
    return found


def _flat_name(path: Path) -> str:
    """submissions/alice/01_recap.ipynb -> submissions__alice__01_recap.ipynb (no clashes)."""
    try:
        path = path.resolve().relative_to(Path.cwd())
    except ValueError:
        pass
    return "__".join(part for part in path.parts if part not in ("/", ".."))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        help="notebooks, or folders holding them",
    )
    parser.add_argument(
        "--chapter",
        type=Path,
        help="the chapter notebook in book/ (default: recognised)",
    )
    parser.add_argument(
        "--csv",
        type=Path,
        help="also write the scores here (one row per exercise)",
    )
    parser.add_argument(
        "--graded-dir",
        type=Path,
        help="keep the executed notebooks here (they contain the hidden tests)",
    )
    args = parser.parse_args(argv)

    use_notebook_env()
    chapters = chapter_notebooks()
    chapter = args.chapter.resolve() if args.chapter else None
    rows, failed = [], 0
    for path in _submissions(args.submissions):
        try:
            result = grade_notebook(path, chapter=chapter, chapters=chapters)
        except (GradingError, ma.AssignmentError) as error:
            print(f"{error}\n", file=sys.stderr, flush=True)
            failed += 1
            continue
        except Exception as error:  # an unreadable file, say: grade the others
            print(
                f"{path}: could not grade it: {type(error).__name__}: {error}\n",
                file=sys.stderr,
                flush=True,
            )
            failed += 1
            continue
        print(result.report() + "\n", flush=True)
        rows += [
            [
                str(path),
                result.chapter,
                s.exercise,
                f"{s.score:g}",
                f"{s.max_score:g}",
                s.error,
            ]
            for s in result.scores
        ]
        if args.graded_dir:
            args.graded_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(result.notebook, args.graded_dir / _flat_name(path))
    if args.csv:
        with args.csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "submission",
                    "chapter",
                    "exercise",
                    "score",
                    "max_score",
                    "error",
                ]
            )
            writer.writerows(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
