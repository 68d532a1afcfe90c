"""The instructors' tools: student versions of the chapters, and a grader for submissions.

Installed with ``pip install -e .[instructor]`` (nbgrader and what it needs); a student's
``pip install`` of the course does not bring it. Two commands::

    python -m grading.assignments           # student versions of the chapters -> release/
    python -m grading submissions/ --csv scores.csv   # a score per exercise and student

Modules, from the course to the scores:

========================  ===========================================================
``grading.course``        where the book is, which chapters have exercises, the profile
``grading.assignments``   nbgrader markers and the student versions (``release/``)
``grading.chapters``      a chapter's exercises; a submission's answer cells
``grading.sandbox``       the bubblewrap sandbox, its limits, and reading what it says
``grading.worker``        inside the sandbox: the process tree of one grading run
``grading.judge``         the judge process: the instructor's checks, never student code
``grading.student``       the student process: the answer cells, serving the judge
``grading.wire``          the data-only messages between judge and student
``grading.report``        scores from the worker's events; the report and the CSV
``grading.grader``        ``Grader``: the environment check and grading a notebook
``grading.cli``           the command line (``python -m grading``)
========================  ===========================================================

This package is imported inside the sandbox too (``grading.worker`` and what it imports),
so importing it loads nothing but the standard library.
"""
