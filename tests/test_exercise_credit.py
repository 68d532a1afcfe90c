"""The design tasks' credit functions (issue 21): smooth and monotone.

Chapters 3 and 5 end with design tasks graded by a measured outcome (an error: the smaller the
better) through a function ``_credit(error)`` defined in the exercise's checks cell, whose value
is the cell's last expression (the points it gives). Here each such function is taken from the
notebook and checked: no points at or beyond the stated zero level, all points at or below the
full-credit level, never more points for a worse outcome, and no step larger than the 0.01-point
rounding anywhere (no cliff within round-off of a reasonable answer).
"""

from __future__ import annotations

import ast
import math

import nbformat
import pytest

from grading.course import ROOT

DESIGN = {
    # checks cell: (points, error at which credit is 0, error of full credit)
    ("03_reparameterization", "ch3-ex4-checks"): (3.0, 0.9, 0.25),
    ("05_inference", "ch5-ex6-checks"): (4.0, 3.2, 0.8),
}


def credit_function(chapter: str, grade_id: str):
    nb = nbformat.read(ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    (cell,) = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    tree = ast.parse(cell.source)
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
    assert nb.cells[nb.cells.index(cell)].metadata.nbgrader["points"] > 0
    return namespace["_credit"], cell.metadata.nbgrader["points"]


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
    values = [credit(e) for e in errors]
    for (e1, v1), (e2, v2) in zip(
        zip(errors, values), zip(errors[1:], values[1:])
    ):
        assert v2 <= v1, f"{grade_id}: more points for a larger error {e2}"
        assert v1 - v2 <= 0.0100001, (
            f"{grade_id}: a step of {v1 - v2:.3f} points between errors "
            f"{e1:.5f} and {e2:.5f}"
        )
    # halfway on the log scale gives half the points
    middle = math.sqrt(zero * full)
    assert abs(credit(middle) - points / 2) <= 0.005
