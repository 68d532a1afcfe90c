"""What the exercises ask of a student (issue 21), read from the chapters' metadata.

Each solution cell says its kind (``metadata["vae_course"]["kind"]``, see
``tools/book_exercises.py``): a warm-up writes down what the chapter shows; a
derivation, a design task or the capstone asks for more. These tests hold the
course to its promise: at most a quarter of the points for warm-ups, a
derivation in every chapter of the lectures, a design task with a graded
outcome in chapters 3 to 5, and chapter 4's VAE from scratch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import book_exercises  # noqa: E402  (tools/ is not a package)
import book_toc  # noqa: E402

CHAPTERS = [p for p in book_toc.chapter_notebooks() if p.stem[:2].isdigit()]


def points_by_kind(path: Path) -> dict[str, float]:
    total: dict[str, float] = {}
    for exercise in book_exercises.chapter_exercises(path)[1]:
        for kind, points in exercise.points_by_kind().items():
            total[kind] = total.get(kind, 0.0) + points
    return total


def test_at_most_a_quarter_of_the_points_are_warm_ups():
    by_kind: dict[str, float] = {}
    for path in CHAPTERS:
        for kind, points in points_by_kind(path).items():
            by_kind[kind] = by_kind.get(kind, 0.0) + points
    total = sum(by_kind.values())
    assert total > 0
    share = by_kind.get("warm-up", 0.0) / total
    assert share <= 0.25, (
        f"warm-ups are {share:.0%} of the course's {total:g} points "
        f"(at most 25 %): {by_kind}"
    )


@pytest.mark.parametrize(
    "chapter",
    [p for p in CHAPTERS if int(p.stem[:2]) <= 5],
    ids=lambda p: p.stem,
)
def test_each_chapter_of_the_lectures_has_a_derivation(chapter):
    assert points_by_kind(chapter).get("derivation", 0) > 0, (
        f"{chapter.name} has no derivation exercise"
    )


@pytest.mark.parametrize(
    "chapter",
    [p for p in CHAPTERS if 3 <= int(p.stem[:2]) <= 5],
    ids=lambda p: p.stem,
)
def test_chapters_3_to_5_have_a_design_task(chapter):
    assert points_by_kind(chapter).get("design", 0) > 0, (
        f"{chapter.name} has no design task with a graded outcome"
    )


def test_chapter_4_has_the_capstone():
    (chapter,) = [p for p in CHAPTERS if p.stem.startswith("04")]
    assert points_by_kind(chapter).get("capstone", 0) > 0


def test_a_solution_cell_without_a_kind_is_refused(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter\n### Exercise 1"),
        nbformat.v4.new_code_cell(
            "x = 1",
            metadata={"nbgrader": {"solution": True, "grade_id": "x-sol"}},
        ),
        nbformat.v4.new_code_cell(
            "assert x == 1",
            metadata={"nbgrader": {"grade": True, "points": 1}},
        ),
    ]
    path = tmp_path / "99_x.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match=r"x-sol has kind None; set"):
        book_exercises.chapter_exercises(path)
    nb.cells[1].metadata["vae_course"] = {"kind": "derivation"}
    nbformat.write(nb, path)
    (exercise,) = book_exercises.chapter_exercises(path)[1]
    assert exercise.points_by_kind() == {"derivation": 1.0}
