"""Fair checks (issue 14): every correct answer gets full marks, every wrong one none.

The answers are data: ``tests/fairness/<chapter>/<solution grade_id>/correct_*.py`` and
``wrong_*.py``, each the full source of the answer cell as a student would write it, its first
line a comment saying what it does differently (see book/instructors.md). A wrong answer that
deserves partial credit says ``# expect: N points`` on its second line. New folders are picked
up on their own; every exercise of every chapter needs at least three of each kind.

Each chapter runs once: the real grader (the grading package, sandbox
included) runs the chapter up to its exercises, then grades each case in fresh processes forked
from that state, with the same judge, student process and checks as for a real submission.
The same run grades the chapter's own reference solutions (full marks) and its student version
(the stubs: nothing, each exercise saying NotImplementedError).
"""

from __future__ import annotations

import concurrent.futures
import re
import threading
from pathlib import Path

import nbformat
import pytest

from grading import assignments as ma
from grading.course import CI_PROFILE, ROOT, chapter_notebooks
from grading.grader import Grader
from grading.sandbox import Limits

CASES = ROOT / "tests" / "fairness"
CHAPTERS = chapter_notebooks()
EXPECT = re.compile(
    r"^#\s*expect:\s*([0-9.]+)(?:\s*(?:-|to)\s*([0-9.]+))?\s*points?"
    r"(?:\s*(?:\+-|\+/-|±)\s*([0-9.]+))?",
    re.IGNORECASE,
)
TOLERANCE = 0.05  # points: a partial credit may differ by this much
CELL = re.compile(r"^# %%(.*)$", re.MULTILINE)
OTHER = re.compile(r"^\s*answer\s+(ch\d+-ex\d+[a-z]?)\s*$")


def solution_ids(chapter: Path) -> list[str]:
    nb = nbformat.read(chapter, as_version=4)
    return [c.metadata.nbgrader["grade_id"] for c in ma.solution_cells(nb)]


def cases() -> list[tuple[Path, str, Path]]:
    found = []
    for chapter in CHAPTERS:
        for solution_id in solution_ids(chapter):
            folder = CASES / chapter.stem / solution_id
            found += [
                (chapter, solution_id, f)
                for f in sorted(folder.glob("*.py"))
                if f.name.startswith(("correct_", "wrong_"))
            ]
    return found


ALL_CASES = cases()


def expected_points(case: Path, full: float) -> tuple[float, float]:
    """The points a case expects and the tolerance: ``# expect: 2.4 points``
    on its second line (TOLERANCE), ``# expect: 2.4 points +- 0.2``, or a
    range ``# expect: 0.5-2.5 points`` (its middle, +- half its width)."""
    lines = case.read_text().splitlines()
    assert lines and lines[0].startswith("#"), (
        f"{case}: the first line must be a comment saying what the answer does"
    )
    match = EXPECT.match(lines[1]) if len(lines) > 1 else None
    if case.name.startswith("correct_") or match is None:
        return (full if case.name.startswith("correct_") else 0.0), TOLERANCE
    low, high, tolerance = match.groups()
    if high is not None:
        low, high = sorted((float(low), float(high)))
        return (low + high) / 2, (high - low) / 2
    return float(low), float(tolerance) if tolerance else TOLERANCE


def case_answers(text: str, exercise: str) -> dict[str, str | list[str]]:
    """A case's answers as the grader gets them, by exercise.

    A file without ``# %%`` lines is the answer cell of ``exercise``. Lines
    ``# %%`` split it into cells: every cell but the last is a helper cell
    the student added above the answer cell, the last is the answer cell.
    A cell under ``# %% answer ch4-ex2a`` is the answer of that exercise
    (another part: the reference's is replaced; a part graded with a wrong
    earlier part). Cells of comments only are left out.
    """
    pieces = CELL.split(text)
    segments = [("", pieces[0])] + list(zip(pieces[1::2], pieces[2::2]))
    mine: list[str] = []
    answers: dict[str, str | list[str]] = {}
    for header, body in segments:
        body = body.strip("\n")
        code = [
            line
            for line in body.splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
        other = OTHER.match(header)
        if other:
            answers[other.group(1)] = body
        elif code:
            mine.append(body)
    if len(segments) == 1:
        return {exercise: text}
    answers[exercise] = mine if len(mine) > 1 else (mine or [""])[0]
    return answers


class Runs:
    """One grading run per chapter (all its cases), started together on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.futures: dict[Path, concurrent.futures.Future] = {}
        self.grader = Grader(Limits(total=600, exercise=300), quiet=True)
        self.pool = concurrent.futures.ThreadPoolExecutor(2)

    def start(self, chapters: list[Path]) -> None:
        with self.lock:
            for chapter in chapters:
                if chapter not in self.futures:
                    self.futures[chapter] = self.pool.submit(
                        self._run, chapter
                    )

    def _run(self, chapter: Path):
        reference = {
            e.grade_id: e.reference
            for e in self.grader.chapter(chapter).exercises
        }
        student = self.grader.student_version(chapter)
        stubs = {
            c.metadata.nbgrader["grade_id"].removesuffix("-solution"): c.source
            for c in ma.solution_cells(student)
        }
        mine = [(s, f) for c, s, f in ALL_CASES if c == chapter]
        jobs = [(reference, None), (stubs, None)]
        for solution_id, case in mine:
            exercise = solution_id.removesuffix("-solution")
            jobs.append(
                (
                    {
                        **reference,
                        **case_answers(case.read_text(), exercise),
                    },
                    [exercise],
                )
            )
        results, failure = self.grader.grade_many(chapter, jobs)
        assert not failure, f"{chapter.name}: {failure}"
        by_case = {
            case: result for (_, case), result in zip(mine, results[2:])
        }
        return results[0], results[1], by_case

    def get(self, chapter: Path):
        self.start([chapter])
        return self.futures[chapter].result()


@pytest.fixture(scope="module")
def runs(monkeypatch_module, request):
    """Starts the runs of every chapter the selected tests need, two at a time."""
    needed = []
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        chapter = params.get("chapter")
        if (
            # (the session also holds nbval's notebook cells, which have
            # no module)
            getattr(getattr(item, "module", None), "__name__", None)
            == __name__
            and chapter
            and chapter not in needed
            and item.get_closest_marker("slow")
        ):
            needed.append(chapter)
    runs = Runs()
    runs.start(needed)
    yield runs
    runs.pool.shutdown(cancel_futures=True)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        for key, value in CI_PROFILE.items():
            patch.setenv(key, value)
        yield patch


def points(chapter: Path) -> dict[str, float]:
    """Full points of each exercise (its checks cells together), by exercise."""
    nb = nbformat.read(chapter, as_version=4)
    total: dict[str, float] = {}
    for cell in ma.grade_cells(nb):
        exercise = re.sub(
            r"-checks.*$", "", cell.metadata.nbgrader["grade_id"]
        )
        total[exercise] = total.get(exercise, 0.0) + float(
            cell.metadata.nbgrader["points"]
        )
    return total


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_exercise_has_three_correct_and_three_wrong_answers(chapter):
    for solution_id in solution_ids(chapter):
        folder = CASES / chapter.stem / solution_id
        correct = list(folder.glob("correct_*.py"))
        wrong = list(folder.glob("wrong_*.py"))
        assert len(correct) >= 3 and len(wrong) >= 3, (
            f"{folder.relative_to(ROOT)}: at least three correct_*.py and three "
            f"wrong_*.py answers needed, found {len(correct)} and {len(wrong)}"
        )


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_reference_solutions_get_full_marks(chapter, runs):
    (scores, tampering), _, _ = runs.get(chapter)
    lost = [
        f"{s.exercise}: {s.error}" for s in scores if s.score < s.max_score
    ]
    assert not lost and not tampering, f"{chapter.name}: {lost} {tampering}"
    assert sum(s.max_score for s in scores) == sum(points(chapter).values())


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_student_version_gets_nothing_and_says_why(chapter, runs):
    _, (scores, tampering), _ = runs.get(chapter)
    assert not tampering
    for s in scores:
        assert s.score == 0 and "NotImplementedError" in s.error, s


@pytest.mark.slow
@pytest.mark.parametrize(
    "chapter, solution_id, case",
    ALL_CASES,
    ids=[f"{c.stem}/{s}/{f.stem}" for c, s, f in ALL_CASES],
)
def test_case(chapter, solution_id, case, runs):
    _, _, by_case = runs.get(chapter)
    scores, tampering = by_case[case]
    exercise = solution_id.removesuffix("-solution")
    full = points(chapter)[exercise]
    want, tolerance = expected_points(case, full)
    got = sum(s.score for s in scores)
    why = "; ".join(s.error for s in scores if s.error)
    assert not tampering, tampering
    assert abs(got - want) <= tolerance + 1e-9, (
        f"{case.relative_to(ROOT)} ({case.read_text().splitlines()[0]}): "
        f"expected {want:g} (+-{tolerance:g}) of {full:g} points, "
        f"got {got:g}: {why}"
    )
    if got < full:
        assert why, "a lost point needs a reason"
