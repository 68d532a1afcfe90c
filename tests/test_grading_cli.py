"""The instructor's path (issue 18): ``python -m grading`` and ``Grader.check_environment``.

- the environment check under both profiles (under ``full`` it once read a setting that
  does not exist and refused every run);
- options that cannot work are refused before any grading, each saying why;
- end to end: a folder of submissions (a right one, the student version, a malformed one)
  graded with ``--csv``; the CSV is written as results come, and a re-run continues it.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grading import assignments as ma
from grading import cli
from grading.course import CI_PROFILE, ROOT
from grading.grader import EnvironmentProblem, Grader
from grading.judge import _in_hidden_tests
from grading.report import (
    CSV_HEADER,
    HIDDEN_NOTE,
    ExerciseScore,
    GradedSubmission,
    feedback,
    shown,
)

CH1 = ROOT / "book" / "01_recap.ipynb"


@pytest.fixture
def grader():
    return Grader(quiet=True)


@pytest.mark.parametrize(
    "profile, offline", [("quick", "1"), ("quick", "0"), ("full", "1")]
)
def test_environment_check_passes_with_the_offline_data(
    grader, monkeypatch, profile, offline
):
    monkeypatch.setenv("VAE_COURSE_PROFILE", profile)
    monkeypatch.setenv("VAE_COURSE_OFFLINE", offline)
    grader.check_environment([])  # settings and data only: no chapter


def test_environment_check_under_full_wants_real_mnist(
    grader, monkeypatch, tmp_path
):
    """Full profile without VAE_COURSE_OFFLINE: the chapters read real MNIST, which the
    sandbox cannot download, so it must be there (here it is not)."""
    monkeypatch.setenv("VAE_COURSE_PROFILE", "full")
    monkeypatch.setenv("VAE_COURSE_OFFLINE", "0")
    monkeypatch.setenv("VAE_COURSE_DATA", str(tmp_path))
    with pytest.raises(EnvironmentProblem, match="'full' profile") as error:
        grader.check_environment([])
    assert "VAE_COURSE_OFFLINE=1" in str(error.value)


def test_environment_check_refuses_an_unknown_profile(grader, monkeypatch):
    monkeypatch.setenv("VAE_COURSE_PROFILE", "garbage")
    with pytest.raises(EnvironmentProblem, match="VAE_COURSE_PROFILE"):
        grader.check_environment([])


def refused(capsys, argv: list[str]) -> str:
    """Run the command line; it must stop with status 2 before grading."""
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err


@pytest.fixture
def one(tmp_path) -> Path:
    path = tmp_path / "sub" / "01_recap.ipynb"
    path.parent.mkdir()
    path.write_text(CH1.read_text())
    return path


@pytest.mark.parametrize(
    "option, value, said",
    [
        ("--memory-limit", "0", "more than 0"),
        ("--memory-limit", "-1", "more than 0"),
        ("--jobs", "0", "more than 0"),
        ("--time-limit", "0", "more than 0"),
        ("--exercise-time-limit", "ten", "not a number"),
    ],
)
def test_limits_must_be_positive(capsys, one, option, value, said):
    assert said in refused(capsys, [str(one), option, value])


def test_bad_paths_are_refused_before_grading(capsys, one, tmp_path):
    assert "does not exist" in refused(
        capsys, [str(one), "--csv", str(tmp_path / "no" / "s.csv")]
    )
    assert "is a folder" in refused(capsys, [str(one), "--csv", str(tmp_path)])
    assert "not a chapter" in refused(
        capsys, [str(one), "--chapter", str(tmp_path / "x.ipynb")]
    )
    assert "no such file" in refused(capsys, [str(tmp_path / "nothing")])
    (tmp_path / "empty").mkdir()
    assert "no .ipynb" in refused(capsys, [str(tmp_path / "empty")])


def test_a_csv_that_is_not_a_score_sheet_is_kept(capsys, one, tmp_path):
    mine = tmp_path / "grades.csv"
    mine.write_text("name,grade\nada,A\n")
    assert cli.main([str(one), "--csv", str(mine)]) == 2
    assert "not a score sheet" in capsys.readouterr().err
    assert mine.read_text() == "name,grade\nada,A\n"


def test_student_text_is_one_short_line():
    text = shown("boom\n  ch1-ex2  2 / 2\x1b[2J\r" + "x" * 10**6)
    assert "\n" not in text and "\x1b" not in text and "\r" not in text
    assert len(text) <= 300 and text.startswith("boom\\n")


@pytest.mark.slow
def test_grading_a_folder_end_to_end(tmp_path):
    """A right answer, the student version and a malformed notebook, with --csv, as
    an instructor runs it; then, with one submission's rows gone (as after Ctrl-C),
    the same command grades only that one and completes the sheet."""
    (student,) = ma.make_release([CH1], tmp_path / "release")
    folder = tmp_path / "submissions"
    reference = nbformat.read(CH1, as_version=4)
    right = nbformat.read(student, as_version=4)
    answers = {
        c.metadata.nbgrader["grade_id"]: c.source
        for c in ma.solution_cells(reference)
    }
    for cell in ma.solution_cells(right):
        cell.source = answers[cell.metadata.nbgrader["grade_id"]]
    for name, nb in [("ada", right), ("bob", nbformat.read(student, 4))]:
        (folder / name).mkdir(parents=True)
        nbformat.write(nb, folder / name / "01_recap.ipynb")
    broken = json.loads(student.read_text())
    for cell in broken["cells"]:
        if "nbgrader" in cell["metadata"]:
            cell["metadata"]["nbgrader"] = "not a mapping"
            break
    (folder / "eve").mkdir()
    (folder / "eve" / "01_recap.ipynb").write_text(json.dumps(broken))
    sheet = tmp_path / "scores.csv"
    env = {**os.environ, **CI_PROFILE}
    command = [
        sys.executable,
        "-m",
        "grading",
        str(folder),
        "--csv",
        str(sheet),
    ]
    run = subprocess.run(
        command + ["--jobs", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 1, run.stderr  # eve could not be graded
    assert "checking the environment" in run.stderr
    eve = str(folder / "eve" / "01_recap.ipynb")
    assert f"{eve}: NOT GRADED" in run.stdout
    assert "cell" in run.stdout and "not a mapping" in run.stdout
    with sheet.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CSV_HEADER
    notes = tmp_path / "scores-feedback"
    assert "**6 / 6**" in (notes / "ada" / "01_recap.md").read_text()
    assert "NotImplementedError" in (notes / "bob" / "01_recap.md").read_text()
    assert "could not be graded" in (notes / "eve" / "01_recap.md").read_text()
    score = {(Path(r[0]).parent.name, r[3]): float(r[4]) for r in rows[1:]}
    assert score == {
        ("ada", "ch1-ex1"): 2,
        ("ada", "ch1-ex2"): 2,
        ("ada", "ch1-ex3"): 2,
        ("bob", "ch1-ex1"): 0,
        ("bob", "ch1-ex2"): 0,
        ("bob", "ch1-ex3"): 0,
        ("eve", "NOT GRADED"): 0,
    }, rows
    # as if the run had been interrupted before bob: his rows are not there
    kept = [r for r in rows if Path(r[0]).parent.name != "bob"]
    with sheet.open("w", newline="") as handle:
        csv.writer(handle).writerows(kept)
    again = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "2 submissions are in" in again.stderr
    assert str(folder / "bob" / "01_recap.ipynb") in again.stdout
    assert "ada" not in again.stdout
    with sheet.open() as handle:
        resumed = list(csv.reader(handle))
    assert resumed[: len(kept)] == kept
    assert sorted(resumed) == sorted(rows)


CHECKS = """x = 1
assert x == 1, "visible"
### BEGIN HIDDEN TESTS
assert x == 2, "the hidden case x == 2"
### END HIDDEN TESTS
"""


def test_a_failed_hidden_check_is_told_apart():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    error = shell.run_cell(CHECKS, silent=True).error_in_exec
    assert _in_hidden_tests(error, CHECKS)
    visible = CHECKS.replace("x == 1", "x == 3")
    error = shell.run_cell(visible, silent=True).error_in_exec
    assert not _in_hidden_tests(error, visible)


def test_feedback_hides_hidden_messages_unless_asked():
    result = GradedSubmission(
        Path("ada/01_recap.ipynb"),
        "01_recap",
        [
            ExerciseScore("ch1-ex1-checks", 2, 2, ""),
            ExerciseScore(
                "ch1-ex2-checks", 0, 2, "the hidden case x == 2", True
            ),
            ExerciseScore("ch1-ex3-checks", 0, 2, "a|b\n  ch1-ex3  2 / 2"),
        ],
    )
    text = feedback(result)
    assert "**2 / 6**" in text and HIDDEN_NOTE in text
    assert "x == 2" not in text
    assert "x == 2" in feedback(result, show_hidden=True)
    assert "\n  ch1-ex3  2" not in text and "a\\|b" in text
