"""The instructors' assignments: nbgrader turns each chapter into a student version and grades it.

For every chapter in ``_toc.yml``:

- the chapter's exercises are well-formed nbgrader cells (solution cell, then a checks cell
  that carries points and passed when the chapter was executed);
- ``tools/make_assignments.py`` writes a student version: stubs instead of solutions, no
  hidden tests, visible checks kept, outputs cleared, the Colab install cell kept;
- the student version runs up to its first exercise and fails there with NotImplementedError;
- the student version with the reference solutions pasted back in gets full marks from
  ``tools/grade.py`` (nbgrader's autograde, which puts the hidden tests back).

Running chapters is what costs time (chapters 4 and 5 take minutes), so each chapter runs
exactly once in this file: the graded submission is the student version with the reference
solutions pasted in *and*, just before its first exercise, a copy of that exercise's stub and
visible checks exactly as the student gets them. That one run shows both that the stub fails
where it should and that the solutions get full marks.
"""

from __future__ import annotations

import copy
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grade  # noqa: E402  (tools/grade.py)
import make_assignments as ma  # noqa: E402  (tools/make_assignments.py)
from book_toc import NOTEBOOK_BACKEND, NOTEBOOK_PROFILE, chapter_notebooks  # noqa: E402  (tools/book_toc.py)

CHAPTERS = chapter_notebooks()
PROBE = "assignment-test-probe"  # tag of the copied stub and checks cells
HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
    re.M | re.S,
)
SOLUTION = re.compile(
    r"^[ \t]*### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*", re.M | re.S
)
EXECUTION_ENV = {
    **NOTEBOOK_PROFILE,
    **NOTEBOOK_BACKEND,
}  # the CI profile, whatever the shell says

chapters = pytest.mark.parametrize(
    "chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS]
)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def grade_id(cell: nbformat.NotebookNode) -> str:
    return cell.metadata.nbgrader["grade_id"]


def by_grade_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {grade_id(c): c for c in nb.cells if "nbgrader" in c.metadata}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """The README's instructor command, writing to a temporary release folder."""
    out = tmp_path_factory.mktemp("release")
    assert ma.main(["--out", str(out)]) == 0
    return out


def student_version(release: Path, chapter: Path) -> nbformat.NotebookNode:
    return read(release / chapter.stem / chapter.name)


def probe_submission(
    chapter: Path, student: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The student version with the reference solutions pasted in, plus the probe cells."""
    solutions = {
        grade_id(c): c.source for c in ma.solution_cells(read(chapter))
    }
    nb = copy.deepcopy(student)
    first = next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("solution")
    )
    checks = next(
        i
        for i, c in enumerate(nb.cells)
        if i > first and c.metadata.get("nbgrader", {}).get("grade")
    )
    probe = []
    for n, cell in enumerate(copy.deepcopy(nb.cells[first : checks + 1])):
        cell.metadata = {
            "tags": [PROBE]
        }  # plain cells: not graded, not overwritten by nbgrader
        cell.id = f"probe-{n}"
        probe.append(cell)
    for cell in ma.solution_cells(nb):
        cell.source = solutions[grade_id(cell)]
    nb.cells[first:first] = probe
    return nb


@pytest.fixture(scope="module")
def graded(release, tmp_path_factory):
    """Grade each chapter's probe submission once (the only place this file runs notebooks)."""
    results: dict[Path, grade.GradedSubmission] = {}

    def get(chapter: Path) -> grade.GradedSubmission:
        if chapter not in results:
            path = tmp_path_factory.mktemp("submitted") / chapter.name
            nbformat.write(
                probe_submission(chapter, student_version(release, chapter)),
                path,
            )
            start = time.perf_counter()
            with pytest.MonkeyPatch.context() as env:
                for key, value in EXECUTION_ENV.items():
                    env.setenv(key, value)
                results[chapter] = grade.grade_notebook(
                    path, chapters=CHAPTERS
                )
            print(
                f"\n{chapter.stem}: graded in {time.perf_counter() - start:.0f} s"
            )
        return results[chapter]

    return get


def test_toc_lists_chapters():
    assert CHAPTERS, "no notebooks found in _toc.yml"


@chapters
def test_exercises_are_nbgrader_cells_with_points(chapter):
    nb = read(chapter)
    checks = ma.grade_cells(nb)
    assert len(checks) >= 2, (
        f"{chapter.name}: at least two exercises (nbgrader checks cells) expected"
    )
    ids = [grade_id(c) for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), (
        f"{chapter.name}: duplicate grade_id in {ids}"
    )
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in checks:
        meta, name = cell.metadata.nbgrader, grade_id(cell)
        assert (
            cell.cell_type == "code"
            and meta["locked"]
            and not meta["solution"]
        ), name
        assert float(meta["points"]) > 0, f"{name} carries no points"
        assert name.endswith("-checks"), name
        above = code[
            code.index(cell) - 1
        ]  # the solution cell comes right before its checks
        assert above.metadata.get("nbgrader", {}).get("solution"), (
            f"no solution cell right above {name}"
        )
        assert grade_id(above) == name.removesuffix("-checks") + "-solution", (
            grade_id(above)
        )
        assert SOLUTION.search(above.source), (
            f"{grade_id(above)} has no ### BEGIN/END SOLUTION markers"
        )
        assert "hide-input" in above.metadata.get("tags", []), (
            f"{grade_id(above)} is not tagged hide-input"
        )
        assert re.search(r"\bassert", HIDDEN.sub("", cell.source)), (
            f"{name} has no visible check (assert)"
        )
        # nbgrader gives no points when a checks cell writes to stderr, and reads a number it
        # displays as partial credit: in the executed chapter, a checks cell shows neither.
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (
                f"{name} fails in the executed chapter"
            )
            assert not (
                output.output_type == "stream" and output.name == "stderr"
            ), f"{name} writes to stderr"
            assert output.output_type != "execute_result", (
                f"{name} ends in an expression (nbgrader: partial credit)"
            )
    assert any(HIDDEN.search(c.source) for c in checks), (
        f"{chapter.name}: no hidden tests"
    )


def test_release_has_every_chapter(release):
    made = sorted(
        p.relative_to(release).as_posix() for p in release.rglob("*.ipynb")
    )
    assert made == sorted(f"{c.stem}/{c.name}" for c in CHAPTERS)


@chapters
def test_student_version(chapter, release):
    source, student = read(chapter), student_version(release, chapter)
    nbformat.validate(student)
    assert (
        len(student.cells) == len(source.cells) + 1
    )  # + the note to the student

    colab = [
        c
        for c in source.cells
        if "colab-install" in c.metadata.get("tags", [])
    ]
    kept = [
        c
        for c in student.cells
        if "colab-install" in c.metadata.get("tags", [])
    ]
    assert len(colab) == 1 and [c.source for c in kept] == [colab[0].source]

    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                "outputs were not cleared"
            )
    assert "widgets" not in student.metadata

    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "HIDDEN TESTS" not in text
    theirs = by_grade_id(student)
    for name, cell in by_grade_id(source).items():
        mine = theirs[name]
        if cell.metadata.nbgrader.get("solution"):
            assert "raise NotImplementedError()" in mine.source, name
            for block in SOLUTION.findall(cell.source):
                body = "\n".join(block.splitlines()[1:-1]).strip()
                assert not body or body not in mine.source, (
                    f"{name}: the solution is in the student version"
                )
        if cell.metadata.nbgrader.get("grade"):
            assert (
                mine.source.strip() == HIDDEN.sub("", cell.source).strip()
            ), f"{name}: visible checks changed"
            for block in HIDDEN.findall(cell.source):
                body = "\n".join(block.splitlines()[1:-1]).strip()
                assert not body or body not in mine.source, (
                    f"{name}: hidden tests are in the student version"
                )


@chapters
def test_metadata_dropped_by_an_editor_is_restored(chapter, release):
    student = student_version(release, chapter)
    submission = copy.deepcopy(student)
    for cell in submission.cells:
        cell.metadata.pop("nbgrader", None)
    restored = grade.restore_metadata(submission, student)
    assert sorted(restored) == sorted(by_grade_id(student))
    assert [c.metadata.get("nbgrader") for c in submission.cells] == [
        c.metadata.get("nbgrader") for c in student.cells
    ]


@pytest.mark.slow
@chapters
def test_student_version_fails_at_its_first_exercise(chapter, graded):
    cells = graded(chapter).notebook.cells
    probe = [
        i for i, c in enumerate(cells) if PROBE in c.metadata.get("tags", [])
    ]
    assert probe, "probe cells not found in the graded notebook"

    def errors(cell):
        return [
            f"{o.ename}: {o.evalue}"
            for o in cell.get("outputs", [])
            if o.output_type == "error"
        ]

    for cell in cells[: probe[0]]:
        assert not errors(cell), (
            f"the student version fails before its first exercise:\n{cell.source}\n{errors(cell)}"
        )
    for cell in cells[probe[0] : probe[-1]]:
        assert not errors(cell), (
            "the first exercise's stub fails in its own cell: a solution cell should only "
            f"define things, for the checks cell to call:\n{cell.source}\n{errors(cell)}"
        )
    names = [
        o.ename for o in cells[probe[-1]].outputs if o.output_type == "error"
    ]
    assert names == ["NotImplementedError"], (
        f"the first checks cell of the student version raised {names}"
    )


@pytest.mark.slow
@chapters
def test_reference_solutions_get_full_marks(chapter, graded):
    result = graded(chapter)
    points = {
        grade_id(c): float(c.metadata.nbgrader["points"])
        for c in ma.grade_cells(read(chapter))
    }
    assert {s.grade_id: s.max_score for s in result.scores} == points
    failed = [
        f"{s.exercise}: {s.error}"
        for s in result.scores
        if s.score < s.max_score
    ]
    assert not failed, f"reference solutions lost points:\n{result.report()}"
    total = sum(points.values())
    assert result.total == result.max_total == total
    lines = result.report().splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == [
        s.exercise for s in result.scores
    ]
    assert lines[-1].split() == ["total", f"{total:g}", "/", f"{total:g}"]
