"""The instructor's path (issue 18): ``python -m grading`` and ``Grader.check_environment``.

- the environment check under both profiles (under ``full`` it once read a setting that
  does not exist and refused every run);
- options that cannot work are refused before any grading, each saying why;
- end to end: a folder of submissions (a right one, the student version, each malformed
  variant) graded with ``--csv``; Ctrl-C in the middle of a run keeps what was graded, and
  the same command grades the rest.
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
from grading_helpers import (
    CH1,
    EXERCISES,
    POINTS,
    cgroups_of,
    start_grading,
    submit,
)

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


def _spoil(pick: str, spoil):
    """Change the first solution ("solution") or checks ("grade") cell."""

    def change(nb: dict) -> None:
        cell = next(
            c
            for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get(pick) is True
        )
        spoil(cell)

    return change


# issue 19, item 6: each aborted the whole run with a traceback naming no file
MALFORMED = {
    "meta-string": (
        _spoil(
            "solution",
            lambda c: c["metadata"].__setitem__("nbgrader", "not a mapping"),
        ),
        "its nbgrader metadata is not a mapping",
    ),
    "no-grade-id": (
        _spoil("grade", lambda c: c["metadata"]["nbgrader"].pop("grade_id")),
        "an exercise cell without a text grade_id (got NoneType)",
    ),
    "list-grade-id": (
        _spoil(
            "solution",
            lambda c: c["metadata"]["nbgrader"].__setitem__(
                "grade_id", ["ch1-ex1-solution"]
            ),
        ),
        "an exercise cell without a text grade_id (got list)",
    ),
    "number-source": (
        _spoil("solution", lambda c: c.__setitem__("source", 42)),
        "its source is not text",
    ),
}


def _grade(command: list[str], **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **CI_PROFILE},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        **options,
    )


def _sheet(path: Path) -> dict[tuple[str, str], float]:
    with path.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CSV_HEADER
    return {(Path(r[0]).parent.name, r[3]): float(r[4]) for r in rows[1:]}


@pytest.mark.slow
def test_grading_a_folder_end_to_end(tmp_path):
    """A right answer, the student version and each malformed variant of
    issue 19 (each once aborted the whole run with a traceback naming no
    file), with --csv and two jobs, as an instructor runs it: every malformed
    notebook is named with its reason and gets a NOT GRADED row with 0, the
    others are graded, and each gets its feedback file."""
    (student,) = ma.make_release([CH1], tmp_path / "release")
    folder = tmp_path / "submissions"
    released = nbformat.read(student, as_version=4)
    references = {name: e.reference for name, e in EXERCISES.items()}
    submit(released, folder, "ada", references)
    submit(released, folder, "bob", {})
    for name, (spoil, _) in MALFORMED.items():
        nb = json.loads(student.read_text())
        spoil(nb)
        (folder / name).mkdir()
        (folder / name / "01_recap.ipynb").write_text(json.dumps(nb))
    sheet = tmp_path / "scores.csv"
    run = _grade(
        [sys.executable, "-m", "grading", str(folder), "--csv", str(sheet)]
        + ["--jobs", "2"]
    )
    assert run.returncode == 1, run.stderr  # some could not be graded
    assert "checking the environment" in run.stderr
    assert "memory budget: " in run.stderr, run.stderr
    said = run.stdout.splitlines()
    for name, (_, why) in MALFORMED.items():
        path = folder / name / "01_recap.ipynb"
        line = [s for s in said if s.startswith(f"{path}: NOT GRADED: ")]
        assert line and why in line[0], (name, run.stdout)
    notes = tmp_path / "scores-feedback"
    total = f"{sum(POINTS.values()):g}"
    ada = (notes / "ada" / "01_recap.md").read_text()
    assert f"**{total} / {total}**" in ada, ada
    assert "NotImplementedError" in (notes / "bob" / "01_recap.md").read_text()
    for name in MALFORMED:
        text = (notes / name / "01_recap.md").read_text()
        assert "could not be graded" in text
    expected = {(name, "NOT GRADED"): 0 for name in MALFORMED}
    expected |= {("ada", name): full for name, full in POINTS.items()}
    expected |= {("bob", name): 0 for name in POINTS}
    assert _sheet(sheet) == expected


@pytest.mark.slow
def test_ctrl_c_keeps_what_was_graded_and_a_rerun_grades_the_rest(tmp_path):
    """SIGINT to `python -m grading` (started with SIGINT ignored, as a
    script's background job is) while it grades the second of two
    submissions: the first is in the report and the CSV, the exit status is
    130 (interrupted), no cgroup is left; the same command then grades only
    the second."""
    import signal
    import time

    (student,) = ma.make_release([CH1], tmp_path / "release")
    folder = tmp_path / "submissions"
    for name in ("ada", "bob"):
        (folder / name).mkdir(parents=True)
        (folder / name / "01_recap.ipynb").write_text(student.read_text())
    sheet = tmp_path / "scores.csv"
    command = [str(folder), "--csv", str(sheet)]
    command += ["--skip-environment-check", "--jobs", "1"]
    # one submission a batch: the second starts a sandbox of its own (seconds),
    # so the interrupt lands while it is graded (in one batch, a stub
    # notebook's exercises fail within a second of the first's)
    command += ["--batch-size", "1"]
    grading = start_grading(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # started with SIGINT ignored, as a shell script's background job is:
        # Ctrl-C must still stop it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 600
        while not (sheet.exists() and len(sheet.read_text().splitlines()) > 1):
            assert grading.poll() is None, grading.communicate()
            assert time.monotonic() < deadline, "nothing graded in 600 s"
            time.sleep(0.2)
        grading.send_signal(signal.SIGINT)
        # (it ends within seconds; the limit only bounds a hang)
        out, err = grading.communicate(timeout=600)
    finally:
        grading.kill()
        grading.wait()
    assert grading.returncode == 130, out + err
    assert "interrupted: what was graded is above" in err, err
    done = _sheet(sheet)
    assert {name for name, _ in done} == {"ada"}, done
    assert f"{folder / 'ada' / '01_recap.ipynb'} (01_recap)" in out, out
    left = cgroups_of(grading.pid)
    assert not left, f"cgroups left behind: {left}"
    again = _grade([sys.executable, "-m", "grading", *command])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 submissions are in" in again.stderr, again.stderr
    assert "bob" in again.stdout and "ada" not in again.stdout, again.stdout
    assert _sheet(sheet) == {
        (name, exercise): 0 for name in ("ada", "bob") for exercise in POINTS
    }
