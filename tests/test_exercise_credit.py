"""The design tasks' credit functions (issue 21): smooth and monotone.

Chapters 3 and 5 end with design tasks graded by a measured outcome (an error: the smaller the
better) through a function ``_credit(error)`` defined in the exercise's checks cell, whose value
is the cell's last expression (the points it gives). Chapter 4's exercise 3 (a VAE of at most
60,000 parameters) is graded by its ELBO (the larger the better) through an expression the
checks cell assigns to the name of its last expression (``ex3_points``). Here each is taken
from the notebook and checked: no points at or beyond the stated zero level, all points at or
beyond the full-credit level, never more points for a worse outcome, and no step larger than
the 0.01-point rounding anywhere (no cliff within round-off of a reasonable answer).
"""

from __future__ import annotations

import ast
import builtins
import math

import nbformat
import pytest

from grading.course import ROOT

DESIGN = {
    # checks cell: (points, error at which credit is 0, error of full credit)
    ("03_reparameterization", "ch3-ex4-checks"): (3.0, 0.9, 0.25),
    ("05_inference", "ch5-ex6-checks"): (4.0, 3.2, 0.8),
}


LINEAR = {
    # checks cell: (points, ELBO in nats at which credit is 0, ELBO of full
    # credit), linear in between (book/04_training.ipynb, exercise 3's text)
    ("04_training", "ch4-ex3-checks-b"): (3.0, -185.0, -145.0),
}


def checks_cell(chapter: str, grade_id: str):
    """The checks cell's syntax tree and its points (which must be > 0)."""
    nb = nbformat.read(ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    (cell,) = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    points = cell.metadata.nbgrader["points"]
    assert points > 0, f"{grade_id} gives no points"
    return ast.parse(cell.source), points


def credit_function(chapter: str, grade_id: str):
    tree, points = checks_cell(chapter, grade_id)
    (node,) = [
        n
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name == "_credit"
    ]
    namespace = {"math": math}
    exec(compile(ast.Module([node], []), grade_id, "exec"), namespace)
    last = tree.body[-1]
    assert (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and getattr(last.value.func, "id", None) == "_credit"
    ), f"{grade_id} must end in _credit(...), its points"
    return namespace["_credit"], points


def assigned_credit(chapter: str, grade_id: str):
    """The points as a function of the one measured value they follow: the
    expression assigned to the name that ends the cell."""
    tree, points = checks_cell(chapter, grade_id)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Name), (
        f"{grade_id} must end in the name of its points"
    )
    (assigned,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == [last.value.id]
    ]
    (measured,) = {
        node.id
        for node in ast.walk(assigned)
        if isinstance(node, ast.Name) and node.id not in dir(builtins)
    }
    code = f"lambda {measured}: {ast.unparse(assigned)}"
    return eval(code, {"math": math}), points


def assert_smooth(grade_id: str, outcomes, credit, points) -> None:
    """Outcomes from the best to the worst: never more points for a worse
    one, no step of more than the 0.01-point rounding, within 0..points."""
    values = [credit(o) for o in outcomes]
    assert all(0 <= v <= points for v in values), grade_id
    for (o1, v1), (o2, v2) in zip(
        zip(outcomes, values), zip(outcomes[1:], values[1:])
    ):
        assert v2 <= v1, f"{grade_id}: more points for a worse outcome {o2}"
        assert v1 - v2 <= 0.0100001, (
            f"{grade_id}: a step of {v1 - v2:.3f} points between outcomes "
            f"{o1:.5f} and {o2:.5f}"
        )


@pytest.mark.parametrize(
    "chapter, grade_id", list(DESIGN), ids=[g for _, g in DESIGN]
)
def test_credit_is_monotone_and_smooth(chapter, grade_id):
    credit, points = credit_function(chapter, grade_id)
    full_points, zero, full = DESIGN[chapter, grade_id]
    assert points == full_points
    assert credit(zero) == 0 and credit(10 * zero) == 0
    assert credit(full) == points and credit(full / 10) == points
    assert credit(0.0) == points
    errors = [
        full / 2 * (4 * zero / full) ** (i / 20_000) for i in range(20_001)
    ]
    assert_smooth(grade_id, errors, credit, points)
    # halfway on the log scale gives half the points
    middle = math.sqrt(zero * full)
    assert abs(credit(middle) - points / 2) <= 0.005


@pytest.mark.parametrize(
    "chapter, grade_id", list(LINEAR), ids=[g for _, g in LINEAR]
)
def test_credit_grows_linearly_with_the_elbo(chapter, grade_id):
    credit, points = assigned_credit(chapter, grade_id)
    full_points, zero, full = LINEAR[chapter, grade_id]
    assert points == full_points
    assert credit(zero) == 0 and credit(zero - 100) == 0
    assert credit(-1e9) == 0
    assert credit(full) == points and credit(full + 100) == points
    assert credit(0.0) == points
    # from 20 nats above full credit down to 20 nats below none
    elbos = [
        full + 20 - (full - zero + 40) * i / 20_000 for i in range(20_001)
    ]
    assert_smooth(grade_id, elbos, credit, points)
    # linear: a quarter of the way, a quarter of the points
    for share in (0.25, 0.5, 0.75):
        elbo = zero + share * (full - zero)
        assert abs(credit(elbo) - share * points) <= 0.005, (elbo, share)
