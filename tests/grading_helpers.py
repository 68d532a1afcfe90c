"""What the grading tests share (tests/test_grading_*.py).

Chapter 1 as the tests grade it: its exercises' reference answers and points are
read from the notebook, so that the tests hold whatever its exercises are, and a
submission is its student version with chosen answer cells. Also: the grader run
as an instructor runs it, or as an ordinary user, and the cgroups a grader made.
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from grading import assignments as ma
from grading.chapters import read_chapter
from grading.course import CI_PROFILE, ROOT
from grading.limits import owner
from grading.report import GradedSubmission

CH1 = ROOT / "book" / "01_recap.ipynb"
EXERCISES = {e.grade_id: e for e in read_chapter(CH1).exercises}
# the points of each exercise, by the name the report and the CSV give it
POINTS = {
    check_id.replace("-checks", "", 1): points
    for exercise in EXERCISES.values()
    for check_id, _, points in exercise.checks
}


def student_version(folder: Path) -> nbformat.NotebookNode:
    """Chapter 1's student version, released into ``folder``."""
    (path,) = ma.make_release([CH1], folder)
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


def start_grading(arguments: list[str], **options) -> subprocess.Popen:
    """``python -m grading`` with these arguments, started as an instructor
    starts it (in the repository, under the CI profile)."""
    return subprocess.Popen(
        [sys.executable, "-m", "grading", *arguments],
        cwd=ROOT,
        env={**os.environ, **CI_PROFILE},
        **options,
    )


def cgroups_of(pid: int, below: Path = Path("/sys/fs/cgroup")) -> list[Path]:
    """The grading runs' cgroups below ``below`` made by process ``pid``."""
    return sorted(
        folder
        for folder in below.glob("**/vae-course-*")
        if (owner(folder.name) or (0,))[0] == pid
    )


def as_ordinary_user(argv: list[str]) -> list[str]:
    """``argv`` run as ``nobody`` when the tests run as root (as CI does).

    Where the Python in use sits below a folder that other users cannot enter
    (e.g. a pyenv in /root, mode 0700), the command runs in a private mount
    namespace in which that folder is an empty one that shows only the Python
    folders (nothing else of it). Skips, saying why, where none of this can be done.
    """
    if os.geteuid() != 0:
        return argv
    for tool in ("runuser", "unshare", "mount"):
        if shutil.which(tool) is None:
            pytest.skip(f"running as root without {tool}: no ordinary user")
    needed = {
        Path(os.path.realpath(sys.executable)).parents[1],
        Path(sys.prefix),
        Path(sys.base_prefix),
        ROOT,
    }
    blocked = {
        folder
        for path in needed
        for folder in [path, *path.parents]
        if folder != Path("/") and not folder.stat().st_mode & 0o001
    }
    outer = {b for b in blocked if not any(p in blocked for p in b.parents)}
    script = ["set -e"]
    for number, folder in enumerate(sorted(outer)):
        inside = sorted(p for p in needed if folder in p.parents)
        for index, path in enumerate(inside):
            script += [
                f"mkdir -p /tmp/.stage-{number}-{index}",
                f"mount --bind '{path}' /tmp/.stage-{number}-{index}",
            ]
        script.append(f"mount -t tmpfs -o mode=755 tmpfs '{folder}'")
        for index, path in enumerate(inside):
            script += [
                f"mkdir -p '{path}'",
                f"mount --bind /tmp/.stage-{number}-{index} '{path}'",
            ]
    script.append('exec runuser -u nobody -- "$@"')
    command = ["unshare", "--mount", "--propagation", "private"]
    command += ["bash", "-c", "\n".join(script), "as-nobody", *argv]
    probe = subprocess.run(
        command[: -len(argv)]
        + [sys.executable, "-c", "import torch, grading"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(
            "cannot run the grader as an ordinary user here: "
            + probe.stderr.strip()[-300:]
        )
    return command


def grade_as_ordinary_user(
    student, name: str, answers: dict[str, str], env: dict | None = None
) -> tuple[subprocess.CompletedProcess, dict[str, float]]:
    """``python -m grading`` run by ``nobody`` (``as_ordinary_user``) on one
    submission in a temporary folder it can read, sandbox required: the run,
    and the scores by exercise that the CSV holds for it. ``env`` is added to
    the grader's environment (PATH and the CI profile)."""
    shared = Path(tempfile.mkdtemp(prefix="vae-course-as-user-"))
    try:
        shared.chmod(0o777)
        path = submit(student, shared, name, answers)
        for folder in (path.parent, path):
            folder.chmod(0o755)
        sheet = shared / "scores.csv"
        command = as_ordinary_user(
            [
                sys.executable,
                "-m",
                "grading",
                str(path),
                "--csv",
                str(sheet),
                "--require-sandbox",
                "--skip-environment-check",
                "--exercise-time-limit",
                "30",
            ]
        )
        run = subprocess.run(
            command,
            cwd=ROOT,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                **CI_PROFILE,
                **(env or {}),
            },
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        got = {}
        if sheet.exists():
            got = {
                row[3]: float(row[4])
                for row in csv.reader(sheet.open())
                if row[0] == str(path)
            }
        return run, got
    finally:
        shutil.rmtree(shared, ignore_errors=True)
