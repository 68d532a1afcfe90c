"""Submissions written to cheat or to do harm (issue 12): each attack fails.

Every submission here is the student version of chapter 1 (or 2) with crafted answer cells,
graded by ``python -m grading`` as an instructor would. Several attacks share a submission where
they cannot interfere, so that the file runs a handful of short chapters, not thirty.
An attack that needs to tell whether it got through does so through its score: e.g. the
answer is correct only if reading the solutions worked, so a score of 0 shows it did not.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import nbformat
import pytest

import grading.grader
from grading import assignments as ma
from grading.course import CI_PROFILE, ROOT
from grading.grader import EnvironmentProblem, Grader
from grading.report import GradedSubmission
from grading.sandbox import Limits, bwrap_path

CH1 = ROOT / "book" / "01_recap.ipynb"
KL = """
def my_gaussian_kl(mu, logvar):
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
"""
LL = """
def my_gaussian_log_likelihood(x, x_hat):
    d = x[0].numel()
    sq = ((x - x_hat) ** 2).reshape(x.shape[0], -1).sum(dim=1)
    return -0.5 * sq - 0.5 * d * math.log(2 * math.pi)
"""
GAP = """
def elbo_gap_1d(m, v, m_post, v_post):
    return 0.5 * (math.log(v_post / v) + (v + (m - m_post) ** 2) / v_post - 1.0)
"""
ZEROS = """
def my_gaussian_kl(mu, logvar):
    return torch.zeros(mu.shape[0])
def my_gaussian_log_likelihood(x, x_hat):
    return torch.zeros(x.shape[0])
def elbo_gap_1d(m, v, m_post, v_post):
    return 0.0
"""


@pytest.fixture(autouse=True)
def profile(monkeypatch):
    for key, value in CI_PROFILE.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> nbformat.NotebookNode:
    (path,) = ma.make_release([CH1], tmp_path_factory.mktemp("release"))
    return nbformat.read(path, as_version=4)


def submit(student, folder: Path, name: str, answers: dict[str, str]) -> Path:
    """The student version with these answer cells (by exercise: ch1-ex1...)."""
    nb = copy.deepcopy(student)
    for cell in ma.solution_cells(nb):
        exercise = cell.metadata.nbgrader["grade_id"].removesuffix("-solution")
        if exercise in answers:
            cell.source = answers[exercise]
    path = folder / name / "01_recap.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def scores(result: GradedSubmission) -> dict[str, float]:
    return {s.exercise: s.score for s in result.scores}


@pytest.fixture(scope="module")
def grader():
    return Grader(Limits(total=60, exercise=15), quiet=True)


needs_bwrap = pytest.mark.skipif(
    bwrap_path() is None, reason="bubblewrap is not installed"
)


@needs_bwrap
def test_file_system_and_processes(student, grader, tmp_path):
    """Write into book/, edit a hidden test, overwrite another submission, read the
    solutions, set its own score in a gradebook, leave a process running: all fail."""
    victim = submit(student, tmp_path, "victim", {"ch1-ex1": KL})
    victim_text = victim.read_text()
    book_text = CH1.read_text()
    token = f"attack-{uuid.uuid4().hex}"
    attack = textwrap.dedent(f"""
    import glob, os, subprocess, sys
    for target, text in [
        ({str(ROOT / "book" / "pwned.txt")!r}, "pwned"),
        ({str(CH1)!r}, "{{}}"),
        ({str(victim)!r}, "{{}}"),
        ({str(tmp_path / "outside.txt")!r}, "pwned"),
    ]:
        try:
            with open(target, "w") as handle:
                handle.write(text)
        except OSError:
            pass
    for db in glob.glob("/tmp/**/gradebook.db", recursive=True):
        open(db, "w").write("300 points")
    # survives grading? (a new session, as a daemon would)
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", {token!r}],
        start_new_session=True,
    )
    """)
    # each answer is correct only if the read works: a score of 0 shows it did not
    read_solutions = f"solutions = open({str(CH1)!r}).read()\n" + LL
    read_victim = f"other = open({str(victim)!r}).read()\n" + GAP
    path = submit(
        student,
        tmp_path,
        "attacker",
        {
            "ch1-ex1": KL + attack,
            "ch1-ex2": read_solutions,
            "ch1-ex3": read_victim,
        },
    )
    result = grader.grade_notebook(path, CH1)
    assert scores(result) == {"ch1-ex1": 2, "ch1-ex2": 0, "ch1-ex3": 0}, (
        result.report()
    )
    assert "FileNotFoundError" in result.scores[1].error, result.report()
    assert not (ROOT / "book" / "pwned.txt").exists()
    assert CH1.read_text() == book_text
    assert victim.read_text() == victim_text
    assert not (tmp_path / "outside.txt").exists()
    survivors = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if token.encode() in cmdline.read_bytes():
                survivors.append(cmdline.parent.name)
        except OSError:
            pass
    assert not survivors, f"processes outlived grading: {survivors}"
    # the victim is still gradable, and graded on its own merits
    assert scores(grader.grade_notebook(victim, CH1))["ch1-ex1"] == 2


def test_patched_functions_and_hooks_do_not_pass_wrong_answers(
    student, grader, tmp_path
):
    """All-zero answers plus patched builtins and torch comparisons, an IPython input
    transformer that blanks later cells, a trace hook, exit handlers, edited metadata."""
    cheat = (
        ZEROS
        + """
import atexit, builtins, sys
import torch
builtins.abs = lambda x: 0.0
builtins.float = lambda x=0: 0.0
builtins.AssertionError = type("Nothing", (Exception,), {})
torch.allclose = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__lt__ = lambda self, other: True
get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
sys.settrace(lambda *a: None)
atexit.register(lambda: print('{"event": "result", "passed": true}'))
print('{"event": "result", "check_id": "ch1-ex2-checks", "passed": true}')
"""
    )
    path = submit(
        student,
        tmp_path,
        "cheat",
        {"ch1-ex1": cheat, "ch1-ex2": "", "ch1-ex3": ""},
    )
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # edited metadata: more points, checks cells emptied
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 300
            cell.source = "pass"
    extra = nbformat.v4.new_code_cell("x = 1")
    extra.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "points": 300,
        "solution": False,
        "locked": True,
        "schema_version": 3,
        "task": False,
    }
    nb.cells.append(extra)
    nbformat.write(nb, path)
    result = grader.grade_notebook(path, CH1)
    assert result.total == 0 and result.max_total == 6, result.report()
    assert all(s.error for s in result.scores)


def test_killing_the_grader_is_tampering(student, grader, tmp_path):
    kill = KL + "\nimport os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
    path = submit(
        student,
        tmp_path,
        "killer",
        {"ch1-ex1": kill, "ch1-ex2": LL, "ch1-ex3": GAP},
    )
    result = grader.grade_notebook(path, CH1)
    assert result.total == 0, result.report()
    assert "TAMPERING" in result.report()


def test_loops_time_out_and_warnings_cost_nothing(student, tmp_path):
    """An endless loop in exercise 1, an interrupt-swallowing one in exercise 2, and a correct
    exercise 3 that warns and writes to stderr: 0, 0 and full marks, each said why."""
    endless = (
        "def my_gaussian_kl(mu, logvar):\n    while True:\n        pass\n"
    )
    stubborn = """
import signal, time
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
    signal.signal(sig, signal.SIG_IGN)
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass
"""
    noisy = (
        GAP
        + """
import sys, warnings
warnings.warn("a leftover debug warning")
print("debug: got here", file=sys.stderr)
_elbo_gap_1d = elbo_gap_1d
def elbo_gap_1d(*args):
    print("debug", args, file=sys.stderr)
    warnings.warn("noisy")
    return _elbo_gap_1d(*args)
"""
    )
    path = submit(
        student,
        tmp_path,
        "loops",
        {"ch1-ex1": endless, "ch1-ex2": stubborn, "ch1-ex3": noisy},
    )
    fast = Grader(Limits(total=60, exercise=8), quiet=True)
    result = fast.grade_notebook(path, CH1)
    assert scores(result) == {"ch1-ex1": 0, "ch1-ex2": 0, "ch1-ex3": 2}, (
        result.report()
    )
    assert "timed out in exercise 1" in result.scores[0].error
    assert "timed out in exercise 2" in result.scores[1].error


def test_bad_profile_refuses_to_grade(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_COURSE_PROFILE", "garbage")
    submission = tmp_path / "01_recap.ipynb"
    submission.write_text(CH1.read_text())
    run = subprocess.run(
        [sys.executable, "-m", "grading", str(submission)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "VAE_COURSE_PROFILE": "garbage"},
        timeout=300,
    )
    assert run.returncode == 2, run.stderr
    assert (
        "refusing to grade" in run.stderr
        and "VAE_COURSE_PROFILE" in run.stderr
    )
    assert "garbage" in run.stderr


def test_without_bubblewrap_the_grader_warns_or_refuses(monkeypatch, capsys):
    monkeypatch.setattr(grading.grader, "bwrap_path", lambda: None)
    Grader()
    warning = capsys.readouterr().err
    assert (
        "NOT isolated" in warning and "apt-get install bubblewrap" in warning
    )
    with pytest.raises(EnvironmentProblem, match="bubblewrap"):
        Grader(require_sandbox=True)
