"""nbgrader configuration of the vae-course assignments.

``python -m grading.assignments`` and ``python -m grading`` load this file; each of them builds
nbgrader's course layout in a temporary folder, so nothing here names a folder of this
repository. An instructor who runs a full nbgrader course (JupyterHub, formgrader, exchange)
can copy this file into that course's root as its ``nbgrader_config.py``.
"""

c = get_config()  # noqa: F821  (nbgrader's config loader provides get_config)

c.CourseDirectory.course_id = "vae-course"

# Student version: the lines between "### BEGIN SOLUTION" and "### END SOLUTION" of a
# solution cell become this stub, and the lines between "### BEGIN HIDDEN TESTS" and
# "### END HIDDEN TESTS" of a checks cell are removed (nbgrader's default markers).
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()"
}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Autograding runs a whole chapter, training cells included: nbgrader's default of
# 30 seconds per cell is far too short for chapters 4 and 5.
c.Execute.timeout = 1800

# A checks cell deleted from a submission is put back (after its solution cell) and run,
# rather than silently scoring zero.
c.OverwriteCells.add_missing_cells = True
