"""Fair grading mechanisms (issue 21), on a small synthetic chapter.

- smooth partial credit: a checks cell whose last expression is a number gets
  that many points (nbgrader's convention), clipped to [0, points]; NaN, inf
  or a value that is not a number give 0 with a reason; only the judge's own
  numbers count;
- helper cells: code cells a student adds above an answer cell run with it;
- parts: when part (b) is graded, part (a)'s names are the reference's, in the
  checks and inside the student's (b) code (the reference's source never
  reaches the student process), so one mistake costs once.

The chapter is written by the fixture (tests/ holds no notebook of its own):
its exercises are built to grade in a second. One grading run grades every
case (a fork per case), like tests/test_grading_fairness.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from grading.chapters import part_references, read_chapter, student_answers
from grading.course import CI_PROFILE
from grading.grader import Grader
from grading.judge import _credit, standalone_functions
from grading.report import GradedSubmission, feedback, rows
from grading.sandbox import Limits


def _code(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(textwrap.dedent(source).strip())
    if nbgrader:
        cell.metadata["nbgrader"] = {
            "schema_version": 3,
            "locked": not nbgrader.get("solution", False),
            "task": False,
            "grade": False,
            "solution": False,
            **nbgrader,
        }
    return cell


def _exercise(grade_id: str, solution: str, checks: str, points: float):
    return [
        nbformat.v4.new_markdown_cell(f"Exercise {grade_id}."),
        _code(solution, grade_id=f"{grade_id}-solution", solution=True),
        _code(
            checks, grade_id=f"{grade_id}-checks", grade=True, points=points
        ),
    ]


# the synthetic chapter: (grade_id, reference answer, checks, points)
EXERCISES = [
    (
        # partial credit: 4 points times the quality (a number in [0, 1])
        "ch9-ex1",
        """
        def quality():
            ### BEGIN SOLUTION
            return 1.0
            ### END SOLUTION
        """,
        """
        q = quality()
        assert isinstance(q, (int, float)), f"a number, got {q!r}"
        print(f"partial credit: quality {q:.2f}; full credit at 1")
        4 * q
        """,
        4,
    ),
    (
        "ch9-ex2a",
        """
        def double(x):
            ### BEGIN SOLUTION
            return 2 * x  # the reference of ch9-ex2a
            ### END SOLUTION
        """,
        """
        t = torch.tensor([1.0, -2.0, 3.5], dtype=torch.float64)
        assert torch.equal(double(t), 2 * t), f"expected {2 * t}"
        """,
        1,
    ),
    (
        # uses part (a): graded with (a)'s reference; gradients flow through
        "ch9-ex2b",
        """
        def quadruple(x):
            ### BEGIN SOLUTION
            return double(double(x))
            ### END SOLUTION
        """,
        """
        t = torch.tensor([1.0, -2.0, 3.5], dtype=torch.float64)
        got = quadruple(t)
        assert torch.equal(got, 4 * t), f"expected {4 * t}, got {got}"
        leaf = t.clone().requires_grad_(True)
        quadruple(leaf).sum().backward()
        assert torch.equal(leaf.grad, torch.full_like(t, 4.0)), (
            f"expected gradient 4 everywhere, got {leaf.grad}"
        )
        assert torch.equal(double(t), 2 * t), "double is (a)'s reference"
        """,
        2,
    ),
    (
        # a choice of the student's in part (a): it and the functions that
        # use it stay the student's when part (b) is graded
        "ch9-ex3a",
        """
        WIDTH = 3  # yours to choose


        def widen(x):
            ### BEGIN SOLUTION
            return x.repeat(WIDTH)
            ### END SOLUTION
        """,
        """
        assert widen(torch.ones(1)).shape == (WIDTH,), f"expected {WIDTH}"
        """,
        1,
    ),
    (
        "ch9-ex3b",
        """
        def scaled(x):
            ### BEGIN SOLUTION
            return 3 * widen(x)[: len(x)]
            ### END SOLUTION
        """,
        """
        t = torch.arange(3.0)
        # (no msg=: the grader says which line failed)
        torch.testing.assert_close(
            torch.as_tensor(scaled(t)), 3 * t
        )
        assert widen(torch.ones(1)).shape == (WIDTH,), "the student's"
        """,
        1,
    ),
    (
        # a model trained in place
        "ch9-ex4",
        """
        def fit(net, x, y):
            ### BEGIN SOLUTION
            optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
            for _ in range(50):
                optimizer.zero_grad()
                ((net(x) - y) ** 2).mean().backward()
                optimizer.step()
            ### END SOLUTION
        """,
        """
        torch.manual_seed(0)
        x_fit = torch.randn(64, 2)
        y_fit = x_fit @ torch.tensor([[1.0], [-1.0]])
        net_fit = torch.nn.Linear(2, 1)
        fit(net_fit, x_fit, y_fit)
        loss = ((net_fit(x_fit) - y_fit) ** 2).mean().item()
        assert loss < 0.05, f"expected a loss below 0.05, got {loss:.3f}"
        """,
        1,
    ),
    (
        # its own time limit (the solution cell's metadata): TIME_LIMIT s
        "ch9-ex5",
        """
        def wait():
            ### BEGIN SOLUTION
            return 0
            ### END SOLUTION
        """,
        """
        assert wait() == 0, "expected 0"
        """,
        1,
    ),
]
TIME_LIMIT = 8


@pytest.fixture(scope="module")
def chapter(tmp_path_factory) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A synthetic chapter"),
        _code("import math\n\nimport torch"),
    ]
    for grade_id, solution, checks, points in EXERCISES:
        nb.cells += _exercise(grade_id, solution, checks, points)
    nb.cells[-2].metadata["vae_course"] = {"time_limit": TIME_LIMIT}
    path = tmp_path_factory.mktemp("chapter") / "99_synthetic.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def reference(chapter) -> dict[str, str]:
    return {e.grade_id: e.reference for e in read_chapter(chapter).exercises}


@pytest.fixture(scope="module")
def env():
    with pytest.MonkeyPatch.context() as patch:
        for key, value in CI_PROFILE.items():
            patch.setenv(key, value)
        yield


def grade(chapter, reference, cases: list[tuple[dict, list | None]]):
    """Grade each case (answers replacing the reference's, the exercises
    checked) in one run of the chapter: a list of (scores, tampering)."""
    grader = Grader(Limits(total=40, exercise=60), quiet=True)
    jobs = [({**reference, **answers}, only) for answers, only in cases]
    results, failure = grader.grade_many(chapter, jobs)
    assert not failure, failure
    return results


def by_exercise(scores) -> dict[str, tuple[float, str]]:
    return {s.exercise: (s.score, s.error) for s in scores}


HELPER = "def helper():\n    return 0.5875"
FIT = """
def fit(net, x, y):
    FIRST
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(50):
        optimizer.zero_grad()
        ((net(x) - y) ** 2).mean().backward()
        optimizer.step()
"""
WRONG_DOUBLE = "def double(x):\n    return 3 * x"
# part (b)'s answer that looks for part (a)'s reference source in its
# process's objects, and answers wrong if it finds it
SEARCH_REFERENCE = """
import gc


def _found():
    needle = "".join(["reference of ch9", "-ex2a"])
    seen, stack = set(), gc.get_objects()
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, str):
            if needle in o:
                return True
        elif not isinstance(o, (int, float, bytes)):
            stack.extend(gc.get_referents(o))
    return False


FOUND = _found()


def quadruple(x):
    return 4 * x + FOUND
"""
CASES: dict[str, tuple[dict, list | None]] = {
    "reference": ({}, None),
    # partial credit: the number the checks cell ends in
    "credit_part": ({"ch9-ex1": "def quality():\n    return 0.5875"}, None),
    "credit_over": ({"ch9-ex1": "def quality():\n    return 2.0"}, None),
    "credit_negative": ({"ch9-ex1": "def quality():\n    return -1.0"}, None),
    "credit_nan": (
        {"ch9-ex1": "def quality():\n    return float('nan')"},
        None,
    ),
    "credit_inf": (
        {"ch9-ex1": "def quality():\n    return float('inf')"},
        None,
    ),
    "credit_raises": (
        {"ch9-ex1": "def quality():\n    return 'high'"},
        None,
    ),
    # helper cells: above the answer cell, run with it, in order
    "helper_cell": (
        {"ch9-ex1": [HELPER, "def quality():\n    return helper()"]},
        ["ch9-ex1"],
    ),
    "helper_cells_in_order": (
        {
            "ch9-ex1": [
                "def helper():\n    return 0.25",
                HELPER,
                "def quality():\n    return helper()",
            ]
        },
        ["ch9-ex1"],
    ),
    "helper_cell_missing": (
        {"ch9-ex1": "def quality():\n    return helper()"},
        ["ch9-ex1"],
    ),
    "helper_cell_raises": (
        {
            "ch9-ex1": [
                "1 / 0",
                "def quality():\n    return helper()",
            ]
        },
        ["ch9-ex1"],
    ),
    # parts: (b) graded with (a)'s reference, so a wrong (a) costs (a) only
    "parts_wrong_a": ({"ch9-ex2a": WRONG_DOUBLE}, None),
    "parts_stub_a": (
        {"ch9-ex2a": "def double(x):\n    raise NotImplementedError()"},
        None,
    ),
    "parts_no_a": ({"ch9-ex2a": "pass"}, None),
    "parts_helper_of_a": (
        {
            "ch9-ex2a": "def twice(x):\n    return x + x\n\n\n" + WRONG_DOUBLE,
            "ch9-ex2b": "def quadruple(x):\n    return twice(twice(x))",
        },
        None,
    ),
    "parts_wrong_b": (
        {"ch9-ex2b": "def quadruple(x):\n    return 3 * double(x)"},
        None,
    ),
    "parts_a_again_in_b": (
        {
            "ch9-ex2a": WRONG_DOUBLE,
            "ch9-ex2b": WRONG_DOUBLE
            + "\n\n\ndef quadruple(x):\n    return double(double(x))",
        },
        None,
    ),
    "parts_choice": (
        {
            "ch9-ex3a": "WIDTH = 5\n\n\ndef widen(x):\n    return x.repeat(WIDTH)"
        },
        ["ch9-ex3a", "ch9-ex3b"],
    ),
    # clear messages
    "not_data": (
        {"ch9-ex1": "def quality():\n    return {'model': torch.nn.Linear}"},
        ["ch9-ex1"],
    ),
    "detached": (
        {"ch9-ex2b": "def quadruple(x):\n    return 4 * x.detach()"},
        ["ch9-ex2b"],
    ),
    "not_close": (
        {"ch9-ex3b": "def scaled(x):\n    return 2 * x"},
        ["ch9-ex3b"],
    ),
    # a model trained in place in float64, or changed
    "float64_in_place": (
        {
            "ch9-ex4": FIT.replace(
                "FIRST", "net.double()\n    x, y = x.double(), y.double()"
            )
        },
        ["ch9-ex4"],
    ),
    "new_layer": (
        {"ch9-ex4": FIT.replace("FIRST", "net.extra = torch.nn.Linear(1, 1)")},
        ["ch9-ex4"],
    ),
    # an exercise's own time limit
    "slow": (
        {"ch9-ex5": "import time\n\n\ndef wait():\n    time.sleep(600)"},
        ["ch9-ex5"],
    ),
}


@pytest.fixture(scope="module")
def graded(chapter, reference, env) -> dict[str, dict]:
    names = list(CASES)
    results = grade(chapter, reference, [CASES[n] for n in names])
    return {
        name: (by_exercise(scores), tampering, scores)
        for name, (scores, tampering) in zip(names, results)
    }


def test_the_reference_gets_full_marks(graded):
    _, tampering, scores = graded["reference"]
    assert not tampering
    assert [(s.exercise, s.score) for s in scores if s.error] == []
    assert sum(s.score for s in scores) == 11


def test_partial_credit_is_the_number_the_checks_end_in(graded):
    got, tampering, scores = graded["credit_part"]
    assert not tampering
    assert got["ch9-ex1"] == (
        2.35,
        "partial credit: quality 0.59; full credit at 1",
    )
    # the report, the CSV and the feedback show the fraction and the reason
    result = GradedSubmission(Path("ada.ipynb"), "99_synthetic", scores)
    assert "ch9-ex1   2.35 / 4   partial credit: quality 0.59" in (
        result.report()
    )
    assert ["99_synthetic", "ch9-ex1", "2.35", "4"] in [
        r[:4] for r in rows(result)
    ]
    assert "| ch9-ex1 | 2.35 / 4 | partial credit: quality 0.59;" in (
        feedback(result)
    )


def test_partial_credit_is_clipped_to_the_points(graded):
    assert graded["credit_over"][0]["ch9-ex1"] == (4, "")
    score, why = graded["credit_negative"][0]["ch9-ex1"]
    assert score == 0 and why.startswith("partial credit: quality -1.00")


@pytest.mark.parametrize("case", ["credit_nan", "credit_inf"])
def test_a_credit_that_is_not_finite_gives_nothing(graded, case):
    score, why = graded[case][0]["ch9-ex1"]
    assert score == 0 and "not a finite number" in why, why


def test_a_check_that_fails_gives_nothing(graded):
    score, why = graded["credit_raises"][0]["ch9-ex1"]
    assert score == 0 and "a number, got 'high'" in why, why


def test_helper_cells_run_with_the_answer(graded):
    assert graded["helper_cell"][0] == {
        "ch9-ex1": (2.35, "partial credit: quality 0.59; full credit at 1")
    }
    # in notebook order: the later definition wins
    assert graded["helper_cells_in_order"][0]["ch9-ex1"][0] == 2.35
    score, why = graded["helper_cell_missing"][0]["ch9-ex1"]
    assert score == 0 and "NameError" in why, why


def test_a_helper_cell_that_raises_is_named(graded):
    score, why = graded["helper_cell_raises"][0]["ch9-ex1"]
    assert score == 0
    assert why.startswith(
        "your cell above the answer cell raised ZeroDivisionError"
    ), why


class Lying(float):
    """A float whose conversions claim full marks."""

    def __float__(self):
        return 4.0

    def __index__(self):
        return 4


class Pretender:
    def __float__(self):
        return 4.0

    def __index__(self):
        return 4

    def __int__(self):
        return 4


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        (2, 2.0),
        (2.35, 2.35),
        (np.float32(1.5), 1.5),
        (np.int64(3), 3.0),
        (torch.tensor(1.25), 1.25),
        (torch.tensor([[0.5]], dtype=torch.float64), 0.5),
    ],
)
def test_credit_takes_the_judges_numbers(value, expected):
    assert _credit(value) == (expected, "")


@pytest.mark.parametrize(
    "value",
    [
        Lying(0.5),
        Pretender(),
        True,
        "4",
        [4],
        torch.tensor([1.0, 2.0]),
        torch.tensor(True),
        np.array([4.0]),
    ],
    # names that are the same in every process (pytest-xdist's workers must
    # collect the same ids; a default repr shows a memory address)
    ids=lambda value: type(value).__name__ + "-" + str(value)[:12],
)
def test_credit_refuses_other_values(value):
    credit, why = _credit(value)
    assert credit is None and "not a number of points" in why, why


def test_helper_cells_are_the_students_code_cells_above_an_answer(chapter):
    nb = nbformat.read(chapter, as_version=4)
    parsed = read_chapter(chapter)
    cells = nb.cells
    solution = next(
        i
        for i, c in enumerate(cells)
        if c.metadata.get("nbgrader", {}).get("grade_id")
        == "ch9-ex2a-solution"
    )
    before = [
        nbformat.v4.new_code_cell("import numpy as np  # above the chapter"),
        nbformat.v4.new_code_cell("def twice(x):\n    return x + x"),
        nbformat.v4.new_markdown_cell("my notes"),
        nbformat.v4.new_code_cell("TWO = 2"),
    ]
    after = [nbformat.v4.new_code_cell("print(double(3))  # a try-out")]
    cells[solution + 1 : solution + 1] = after
    cells[solution:solution] = before
    cells[1:1] = [nbformat.v4.new_code_cell("x = 1  # before the exercises")]
    cells.append(nbformat.v4.new_code_cell("print('after the last answer')"))
    # an edited cell of the chapter is the instructor's, not a helper
    cells[2].source = "import math\nimport torch  # edited"
    answers, notes = student_answers(nb, parsed)
    assert not notes
    assert answers["ch9-ex2a"] == [
        "import numpy as np  # above the chapter",
        "def twice(x):\n    return x + x",
        "TWO = 2",
        parsed.exercises[1].reference,
    ]
    # a try-out cell below an answer runs with the next answer
    assert answers["ch9-ex2b"][0] == "print(double(3))  # a try-out"
    assert isinstance(answers["ch9-ex1"], str)


@pytest.mark.parametrize(
    "case",
    ["parts_wrong_a", "parts_stub_a", "parts_no_a", "parts_a_again_in_b"],
)
def test_a_wrong_part_a_costs_part_b_nothing(graded, case):
    got, tampering, _ = graded[case]
    assert not tampering
    assert got["ch9-ex2a"][0] == 0
    # (b)'s checks call (a)'s name too, and differentiate through (b)
    assert got["ch9-ex2b"] == (2, ""), got


def test_part_a_helpers_stay_the_students(graded):
    got, _, _ = graded["parts_helper_of_a"]
    assert got["ch9-ex2a"][0] == 0 and got["ch9-ex2b"] == (2, ""), got


def test_a_wrong_part_b_still_loses(graded):
    score, why = graded["parts_wrong_b"][0]["ch9-ex2b"]
    assert score == 0 and "expected tensor([ 4., -8., 14.]" in why, why


def test_part_a_choices_stay_the_students(graded):
    """WIDTH is the student's choice, and widen uses it: both stay theirs."""
    got, _, _ = graded["parts_choice"]
    assert got["ch9-ex3a"] == (1, "") and got["ch9-ex3b"] == (1, ""), got


def test_only_functions_that_stand_alone_are_replaced():
    capstone = """
from torch import nn

K = 20


class Net(nn.Module):
    pass


def sample(mu, logvar, generator=None):
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape)


def init(seed):
    return dict(Net().state_dict())


def run(part, w):
    return init(0)


def helper(x):
    return sample(x, x) + nn.functional.relu(x)


def prior(n):
    return torch.randn(n, K)
"""
    later = "def loss(x):\n    return helper(x)\n\n\ndef fit():\n    run(1, 2)"
    assert standalone_functions([capstone]) == {"sample", "helper"}
    assert standalone_functions([capstone, later]) == {
        "sample",
        "helper",
        "loss",
    }


def test_the_reference_source_never_reaches_the_student(
    chapter, reference, env
):
    """A run of its own: the answers of one run's submissions are in its
    job (the reference case's would be found)."""
    answers = {"ch9-ex2a": WRONG_DOUBLE, "ch9-ex2b": SEARCH_REFERENCE}
    other = {k: v for k, v in reference.items() if k not in answers}
    grader = Grader(Limits(total=40, exercise=60), quiet=True)
    results, failure = grader.grade_many(
        chapter, [({**other, **answers}, ["ch9-ex2b"])]
    )
    assert not failure
    ((scores, tampering),) = results
    assert not tampering and by_exercise(scores) == {"ch9-ex2b": (2, "")}


def test_a_value_that_is_not_data_says_what_it_is(graded):
    score, why = graded["not_data"][0]["ch9-ex1"]
    assert score == 0
    assert "a number, got <a dict whose item ['model'] is a class " in why
    assert "(Linear), not an object or a name, which is not data>" in why


def test_a_torch_error_in_a_check_is_explained(graded):
    score, why = graded["detached"][0]["ch9-ex2b"]
    assert score == 0
    assert why.startswith(
        "the check differentiates through what your function returned, and "
        "it is not connected to the inputs"
    ), why
    # the check, then torch's own words
    assert (
        "(in the check quadruple(leaf).sum().backward(): RuntimeError: "
        "element 0 of tensors does not require grad"
    ) in why, why


def test_a_torch_testing_failure_names_the_check(graded):
    score, why = graded["not_close"][0]["ch9-ex3b"]
    assert score == 0
    assert why.startswith(
        "this check failed: torch.testing.assert_close( "
        "torch.as_tensor(scaled(t)), 3 * t ): Tensor-likes are not close!"
    ), why


def test_a_model_trained_in_place_in_float64_is_graded(graded):
    got, tampering, _ = graded["float64_in_place"]
    assert not tampering and got == {"ch9-ex4": (1, "")}, got


def test_a_model_with_other_layers_is_a_wrong_answer_not_tampering(graded):
    got, tampering, _ = graded["new_layer"]
    assert not tampering
    score, why = got["ch9-ex4"]
    assert score == 0 and "your function changed the model" in why, why


def test_an_exercise_has_its_own_time_limit(graded):
    """Limits.exercise is 60 s here (and the whole notebook's 40 s); the
    exercise's metadata says 8 s."""
    got, tampering, _ = graded["slow"]
    assert not tampering
    assert got == {
        "ch9-ex5": (0, "timed out in exercise 5: does it finish?")
    }, got


def test_a_part_can_keep_later_parts_on_the_students_own(chapter, tmp_path):
    assert sorted(part_references(read_chapter(chapter))) == [
        "ch9-ex2a",
        "ch9-ex3a",
    ]
    nb = nbformat.read(chapter, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.metadata["vae_course"] = {"reference_for_later_parts": False}
    nbformat.write(nb, tmp_path / "99_synthetic.ipynb")
    assert part_references(read_chapter(tmp_path / "99_synthetic.ipynb")) == {}
