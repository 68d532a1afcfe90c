"""The instructors' assignments: nbgrader turns each chapter into a student version.

For every chapter of ``book/`` with exercises:

- the chapter's exercises are well-formed nbgrader cells (solution cell, then one or more
  checks cells that carry points and passed when the chapter was executed);
- ``python -m grading.assignments`` writes a student version: stubs instead of solutions, no
  hidden tests, visible checks kept, outputs cleared, the Colab install cell kept;
- it refuses misspelt, misplaced or unbalanced markers, and never replaces an existing output
  folder unless asked to.

Grading (the reference solutions get full marks, the student version's stubs get nothing, each
saying NotImplementedError) is tested with the fairness cases in test_grading_fairness.py,
which runs each chapter once for all of them; attacks on the grader in test_grading_attacks.py.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grading import assignments as ma
from grading.chapters import restore_metadata
from grading.course import chapter_notebooks

CHAPTERS = chapter_notebooks()
HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
    re.MULTILINE | re.DOTALL,
)
SOLUTION = re.compile(
    r"^[ \t]*### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*",
    re.MULTILINE | re.DOTALL,
)

CHECKS_ID = re.compile(r"^(.*)-checks(-[a-z0-9]+)?$")

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


def test_toc_lists_chapters():
    assert CHAPTERS, "no chapters with exercises found in book/"


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
        assert CHECKS_ID.match(name), name
        exercise = CHECKS_ID.match(name).group(1)
        # the solution cell comes right before its checks (or another checks
        # cell of the same exercise: partial credit)
        above = code[code.index(cell) - 1]
        while above.metadata.get("nbgrader", {}).get("grade"):
            assert CHECKS_ID.match(grade_id(above)).group(1) == exercise, name
            above = code[code.index(above) - 1]
        assert above.metadata.get("nbgrader", {}).get("solution"), (
            f"no solution cell right above {name}"
        )
        assert grade_id(above) == exercise + "-solution", grade_id(above)
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
            # a cell that ends in a number gives that many points (smooth
            # partial credit): the reference solution must earn them all
            if output.output_type == "execute_result":
                shown = output.get("data", {}).get("text/plain", "")
                try:
                    value = float(shown)
                except ValueError:
                    value = None
                assert value == float(meta["points"]), (
                    f"{name} ends in an expression showing {shown!r}: a "
                    f"number of points, all {meta['points']} for the "
                    "reference solution, expected"
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
    restored = restore_metadata(submission, student)
    assert sorted(restored) == sorted(by_grade_id(student))
    assert [c.metadata.get("nbgrader") for c in submission.cells] == [
        c.metadata.get("nbgrader") for c in student.cells
    ]


def marked(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of chapter 1 with one marker line changed."""
    text = CHAPTERS[0].read_text()
    assert old in text
    path = tmp_path / CHAPTERS[0].name
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    "old, new",
    [
        ("### BEGIN HIDDEN TESTS", "### BEGIN HIDDEN TEST"),
        ("### BEGIN HIDDEN TESTS", "## BEGIN HIDDEN TESTS"),
        ("### END HIDDEN TESTS", "### END HIDEN TESTS"),
        ("### END SOLUTION", "### END SOLUTIONS"),
        ("### END HIDDEN TESTS", "# (end of the hidden tests)"),
        # nbgrader matches a marker anywhere in a line: these would end the
        # block early and ship the rest of it
        (
            "### END HIDDEN TESTS",
            # (the notebook's JSON text: escaped quotes and newline)
            'assert True, \\"### END HIDDEN TESTS\\"\\n### END HIDDEN TESTS',
        ),
        (
            "### END SOLUTION",
            "# see ### END SOLUTION below\\n    ### END SOLUTION",
        ),
    ],
    ids=[
        "singular",
        "two-hashes",
        "typo",
        "plural",
        "missing-end",
        "assert-message",
        "comment",
    ],
)
def test_bad_markers_are_refused(tmp_path, old, new, capsys):
    chapter = marked(tmp_path, old, new)
    out = tmp_path / "out"
    assert ma.main([str(chapter), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "marker" in error or "never ended" in error, error
    assert chapter.name in error
    assert not out.exists(), (
        "nothing may be written for a chapter that is refused"
    )


def test_misplaced_marker_is_refused(tmp_path, capsys):
    nb = read(CHAPTERS[0])
    prose = next(
        c
        for c in nb.cells
        if c.cell_type == "code" and "nbgrader" not in c.metadata
    )
    prose.source += "\n### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"
    path = tmp_path / CHAPTERS[0].name
    nbformat.write(nb, path)
    assert ma.main([str(path), "--out", str(tmp_path / "out")]) == 1
    assert "belongs in a checks cell" in capsys.readouterr().err


def test_existing_output_is_kept_unless_asked(tmp_path, capsys):
    out = tmp_path / "handout"
    mine = out / CHAPTERS[0].stem / "my_notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("keep me")
    other = out / "README.txt"
    other.write_text("keep me too")
    assert ma.main([str(CHAPTERS[0]), "--out", str(out)]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert mine.read_text() == "keep me"
    assert ma.main([str(CHAPTERS[0]), "--out", str(out), "--overwrite"]) == 0
    assert not mine.exists()  # the chapter's folder was replaced, as asked
    assert (out / CHAPTERS[0].stem / CHAPTERS[0].name).exists()
    assert other.read_text() == "keep me too"  # nothing else is touched


def test_releases_made_at_once_in_threads(tmp_path, monkeypatch):
    """The grader (--jobs) and the fairness tests make student versions in
    threads of one process; nbgrader changes the working directory while it
    runs, so unguarded runs "restore" each other's deleted temporary folders
    and the process loses its working directory."""
    import concurrent.futures
    import os

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(home)
    chapters = [CHAPTERS[0], CHAPTERS[2]] * 5

    def release(i: int, chapter: Path) -> None:
        out = tmp_path / f"out{i}"
        (written,) = ma.make_release([chapter], out)
        assert read(written).cells
        shutil.rmtree(out)  # as the grader's temporary folders go

    with concurrent.futures.ThreadPoolExecutor(len(chapters)) as pool:
        futures = [pool.submit(release, i, c) for i, c in enumerate(chapters)]
        for future in futures:
            future.result()
    assert Path(os.getcwd()) == home
