"""Grade submitted notebooks: a score per exercise, student code isolated from the scores.

Usage (from the repository root, in the venv made by the README's commands)::

    python tools/grade.py submissions/alice/01_recap.ipynb
    python tools/grade.py submissions/                      # every .ipynb below the folder
    python tools/grade.py submissions/ --csv scores.csv --jobs 8 --time-limit 300

What counts from a submission is its answer cells (the nbgrader solution cells, found by their
``grade_id``, or by their place above a checks cell when an editor dropped the metadata). The
grader runs the instructor's chapter from ``book/`` up to its first exercise, then each
exercise: the student's answer cell runs in a *student process*, the instructor's checks
cell (hidden tests included) runs in a separate *judge process* that never runs student code,
and calls the student's functions through a pipe that carries data only. An exercise gets its
points when its checks cell raises nothing. See tools/grade_worker.py for the processes, and
book/instructors.md for what is and is not guaranteed.

Each submission runs in a bubblewrap sandbox (Debian package ``bubblewrap``): its own scratch
folder is the only place it can write, the course, the solutions, the other submissions and the
scores are not visible in it, there is no network, and every process in it ends with it. Without
bwrap the grader still keeps student code away from the checks, but not from the file system; it
says so loudly, and ``--require-sandbox`` makes that an error.

Before grading, the grader checks the instructor's environment: a valid ``VAE_COURSE_PROFILE``,
the data the profile needs, and the chapter's own reference solutions graded with full marks.

The notebooks run with the CI profile (``VAE_COURSE_PROFILE=quick``, offline digits) unless
those variables are already set.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import contextlib
import copy
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.warnings import MissingIDFieldWarning

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # vae_course
import make_assignments as ma
from book_toc import chapter_notebooks, use_notebook_env

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "grade_worker.py"
DEFAULT_TIME_LIMIT = 300  # seconds per submission, all exercises together
DEFAULT_EXERCISE_TIME = 120  # seconds per exercise
DEFAULT_MEMORY = 8 << 30  # bytes of address space for the student process
PREFIX_TIME = 3600  # seconds for the chapter's own cells before the exercises
NO_SANDBOX_WARNING = """\
WARNING: bubblewrap (bwrap) is not available: submissions are NOT isolated from the file
system. Student code runs as you, can read and change your files, and can leave processes
running. Scores still come only from the checks (student code runs in its own process), but
grade strangers' work only with the sandbox: install it with `apt-get install bubblewrap`."""


class GradingError(Exception):
    """A submission that could not be graded (unknown chapter, unreadable notebook)."""


class EnvironmentProblem(Exception):
    """The instructor's environment cannot grade fairly (bad profile, missing data...)."""


# ------------------------------------------------------------------------------ chapters


@dataclass
class Exercise:
    grade_id: str  # "ch1-ex1"
    names: list[str]  # what the reference solution defines
    checks: list[tuple[str, str, float]]  # (checks grade_id, source, points)
    reference: str  # the reference solution cell


@dataclass
class Chapter:
    path: Path
    prefix: list[str]  # code cells before the first exercise
    exercises: list[Exercise]

    @property
    def name(self) -> str:
        return ma.assignment_id(self.path)


def _defined_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def read_chapter(path: Path) -> Chapter:
    """The chapter's cells before its exercises, and each exercise's answer and checks cells."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    first = next(
        (i for i, c in enumerate(cells) if "nbgrader" in c.metadata), None
    )
    if first is None:
        raise GradingError(f"{path}: no exercises (nbgrader cells)")
    prefix = [
        c.source
        for c in cells[:first]
        if c.cell_type == "code"
        and "colab-install" not in c.metadata.get("tags", [])
    ]
    exercises: list[Exercise] = []
    for cell in cells[first:]:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            grade_id = meta["grade_id"].removesuffix("-solution")
            exercises.append(
                Exercise(
                    grade_id, _defined_names(cell.source), [], cell.source
                )
            )
        elif meta.get("grade"):
            if not exercises:
                raise GradingError(
                    f"{path}: checks cell {meta['grade_id']} has no answer cell above it"
                )
            exercises[-1].checks.append(
                (meta["grade_id"], cell.source, float(meta["points"]))
            )
    return Chapter(Path(path), prefix, exercises)


# --------------------------------------------------------------------------- submissions


@dataclass
class ExerciseScore:
    grade_id: str  # of the checks cell
    score: float
    max_score: float
    error: str  # why points were lost ("" when the checks passed)

    @property
    def exercise(self) -> str:
        """The checks cell's grade_id without "-checks" ("ch1-ex1-checks-b" -> "ch1-ex1-b")."""
        return self.grade_id.replace("-checks", "", 1)


@dataclass
class GradedSubmission:
    path: Path
    chapter: str
    scores: list[ExerciseScore]
    restored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tampering: str = (
        ""  # what the grader saw, when student code attacked the grading
    )

    @property
    def total(self) -> float:
        return sum(s.score for s in self.scores)

    @property
    def max_total(self) -> float:
        return sum(s.max_score for s in self.scores)

    def report(self) -> str:
        width = max([len("total")] + [len(s.exercise) for s in self.scores])
        lines = [f"{self.path} ({self.chapter})"]
        for s in self.scores:
            line = f"  {s.exercise:<{width}}  {s.score:g} / {s.max_score:g}"
            lines.append(f"{line}   {s.error}" if s.error else line)
        lines.append(
            f"  {'total':<{width}}  {self.total:g} / {self.max_total:g}"
        )
        if self.tampering:
            lines.append(f"  TAMPERING: {self.tampering}")
        if self.restored:
            lines.append(
                "  (nbgrader metadata was missing and restored for: "
                f"{', '.join(self.restored)})"
            )
        lines += [f"  ({note})" for note in self.notes]
        return "\n".join(lines)


def _grade_ids(nb: nbformat.NotebookNode) -> set[str]:
    return {c.metadata.nbgrader["grade_id"] for c in ma.grade_cells(nb)}


def identify_chapter(
    nb: nbformat.NotebookNode, path: Path, chapters: list[Path]
) -> Path:
    """The chapter a submission belongs to: by its exercises' grade_ids, else by the cells it
    shares with a chapter (the text, unchanged in the student version), else by its file name."""
    sources = {ch: nbformat.read(ch, as_version=4) for ch in chapters}
    ids = _grade_ids(nb)
    texts = {_normalized(c.source) for c in nb.cells} - {""}
    for overlap in (
        lambda ch: len(ids & _grade_ids(sources[ch])),
        lambda ch: len(
            texts & {_normalized(c.source) for c in sources[ch].cells}
        ),
    ):
        counts = {ch: overlap(ch) for ch in chapters}
        best = max(counts, key=counts.get, default=None)
        if (
            best is not None
            and counts[best] > 0
            and list(counts.values()).count(counts[best]) == 1
        ):
            return best
    by_name = [ch for ch in chapters if ma.assignment_id(ch) in path.name]
    if len(by_name) == 1:
        return by_name[0]
    raise GradingError(
        f"{path}: cannot tell which chapter this is; pass --chapter"
    )


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def restore_metadata(
    submission: nbformat.NotebookNode, student: nbformat.NotebookNode
) -> list[str]:
    """Give back the nbgrader metadata that an editor may have dropped from a submission.

    ``student`` is the generated student version. A checks cell without metadata is recognised
    by its text (students cannot change it in Jupyter: it is locked), and the nearest code cell
    above it without metadata is taken as its solution cell. Returns the grade_ids restored.
    """
    present = _grade_ids(submission) | {
        c.metadata.nbgrader["grade_id"] for c in ma.solution_cells(submission)
    }
    restored = []
    cells = submission.cells
    for index, reference in enumerate(student.cells):
        meta = reference.metadata.get("nbgrader", {})
        if not meta.get("grade") or meta["grade_id"] in present:
            continue
        matches = [
            i
            for i, c in enumerate(cells)
            if "nbgrader" not in c.metadata
            and c.cell_type == reference.cell_type
            and _normalized(c.source) == _normalized(reference.source)
        ]
        if not matches:
            continue
        at = matches[0]
        cells[at].metadata["nbgrader"] = copy.deepcopy(meta)
        restored.append(meta["grade_id"])
        above = student.cells[index - 1] if index > 0 else None
        above_meta = (
            above.metadata.get("nbgrader", {}) if above is not None else {}
        )
        if (
            above_meta.get("solution")
            and above_meta["grade_id"] not in present
        ):
            for i in range(at - 1, -1, -1):
                if (
                    cells[i].cell_type == "code"
                    and "nbgrader" not in cells[i].metadata
                ):
                    cells[i].metadata["nbgrader"] = copy.deepcopy(above_meta)
                    restored.append(above_meta["grade_id"])
                    break
    return restored


def student_answers(
    nb: nbformat.NotebookNode, chapter: Chapter
) -> tuple[dict[str, str], list[str]]:
    """The submission's answer cell for each exercise, by grade_id; and notes for the report.

    Only the answer cells count: every other cell of the submission (the chapter's text and
    demonstrations, the checks cells) is the instructor's, taken from ``book/``.
    """
    answers: dict[str, str] = {}
    notes = []
    for cell in ma.solution_cells(nb):
        if cell.cell_type != "code":
            continue
        grade_id = str(cell.metadata.nbgrader.get("grade_id", ""))
        grade_id = grade_id.removesuffix("-solution")
        if grade_id in answers:
            notes.append(
                f"{grade_id}: several answer cells; the first one was graded"
            )
            continue
        answers[grade_id] = cell.source
    return answers, notes


# ------------------------------------------------------------------------------ sandbox


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _python_roots() -> list[Path]:
    roots = {Path(sys.prefix), Path(sys.base_prefix)}
    roots.add(Path(os.path.realpath(sys.executable)).parents[1])
    return sorted(r for r in roots if r.exists())


def sandbox_env() -> dict[str, str]:
    """The environment of the grading processes: the profile and nothing of the user's."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONPATH": "/course",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": "",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
    }
    for key in (
        "VAE_COURSE_PROFILE",
        "VAE_COURSE_OFFLINE",
        "VAE_COURSE_DATA",
        "CI",
    ):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def sandbox_command(
    scratch: Path, bwrap: str | None
) -> tuple[list[str], dict]:
    """The command that runs the worker with ``scratch`` as its only writable folder."""
    env = sandbox_env()
    python = sys.executable
    if bwrap is None:
        course = scratch / "course"
        course.mkdir()
        shutil.copytree(ROOT / "vae_course", course / "vae_course")
        shutil.copy(WORKER, course / "grade_worker.py")
        env = {
            **env,
            "PYTHONPATH": str(course),
            "HOME": str(scratch),
            "TMPDIR": str(scratch),
        }
        return [python, str(course / "grade_worker.py")], env
    argv = [
        bwrap,
        "--unshare-all",  # no network; own process, IPC, UTS, cgroup and user namespaces
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--clearenv",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for system in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if Path(system).exists():
            kind = "--symlink" if Path(system).is_symlink() else "--ro-bind"
            argv += (
                [kind, os.readlink(system), system]
                if kind == "--symlink"
                else [kind, system, system]
            )
    for name in (
        "ld.so.cache",
        "localtime",
        "nsswitch.conf",
        "passwd",
        "group",
    ):
        if Path("/etc", name).exists():
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for root in _python_roots():
        argv += ["--ro-bind", str(root), str(root)]
    data = os.environ.get("VAE_COURSE_DATA")
    if data and Path(data).exists():
        argv += ["--ro-bind", data, data]
    argv += [
        "--ro-bind",
        str(ROOT / "vae_course"),
        "/course/vae_course",
        "--ro-bind",
        str(WORKER),
        "/course/grade_worker.py",
        "--bind",
        str(scratch),
        "/scratch",
        "--chdir",
        "/scratch",
        "--setenv",
        "HOME",
        "/scratch",
    ]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--", python, "/course/grade_worker.py"]
    return argv, {}


@dataclass
class Limits:
    total: float = DEFAULT_TIME_LIMIT
    exercise: float = DEFAULT_EXERCISE_TIME
    memory: int = DEFAULT_MEMORY


def run_worker(
    chapter: Chapter,
    submissions: list[dict],
    limits: Limits,
    bwrap: str | None,
) -> tuple[list[dict], str]:
    """Run the worker on ``submissions`` (answers by exercise); return its events per submission.

    Each submission's events: start/result/abort/tampering/student_gone/internal (see
    tools/grade_worker.py). The second value is a failure of the whole run ("" when none).
    """
    job = {
        "prefix": chapter.prefix,
        "exercises": [
            {"grade_id": e.grade_id, "names": e.names}
            for e in chapter.exercises
        ],
        "checks": {
            e.grade_id: [[c[0], c[1]] for c in e.checks]
            for e in chapter.exercises
        },
        "submissions": submissions,
        "exercise_time": limits.exercise,
        "total_time": limits.total,
        "memory": limits.memory,
    }
    events: list[list[dict]] = [[] for _ in submissions]
    with tempfile.TemporaryDirectory(prefix="vae-course-grade-") as tmp:
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        argv, env = sandbox_command(scratch, bwrap)
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env or None,
            cwd=scratch,
            start_new_session=True,
        )
        timeout = PREFIX_TIME + limits.total * len(submissions) + 60
        try:
            out, _ = process.communicate(
                (json.dumps(job) + "\n").encode(), timeout=timeout
            )
        except subprocess.TimeoutExpired:
            out = b""
            failure = f"the grading run took longer than {timeout:.0f} s"
        else:
            failure = ""
        finally:
            _kill_group(process)
        log = (
            (scratch / "worker.log").read_text(errors="replace")[-2000:]
            if (scratch / "worker.log").exists()
            else ""
        )
    current = None
    for line in out.decode(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "prefix_failed":
            failure = f"the chapter itself fails before its exercises: {event['message']}"
        elif event.get("event") == "submission":
            current = event["index"]
        elif current is not None:
            events[current].append(event)
    if not failure and current is None and process.returncode != 0:
        failure = f"the grading worker ended with status {process.returncode}: {log.strip()[-500:]}"
    return events, failure


def _kill_group(process: subprocess.Popen) -> None:
    """End every process the run started (bwrap's own namespace ends with it anyway)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, 9)
    process.wait()


def scores_from_events(
    chapter: Chapter, events: list[dict], only: list[str] | None = None
) -> tuple[list[ExerciseScore], str]:
    """Turn a submission's worker events into a score per checks cell, and any tampering."""
    results = {e["check_id"]: e for e in events if e["event"] == "result"}
    aborts = {e["grade_id"]: e for e in events if e["event"] == "abort"}
    tampering = ""
    stop = ""  # why the exercises after this point were not graded
    scores = []
    for exercise in chapter.exercises:
        if only is not None and exercise.grade_id not in only:
            continue
        abort = aborts.get(exercise.grade_id)
        for check_id, _, points in exercise.checks:
            result = results.get(check_id)
            if result is not None and result["passed"] and not stop:
                scores.append(ExerciseScore(check_id, points, points, ""))
                continue
            if result is not None:
                error = result["message"] or "the checks failed"
            elif abort is not None and abort["reason"] == "timeout":
                error = f"timed out in exercise {_number(exercise.grade_id)}: does it finish?"
            elif abort is not None and abort["reason"] == "total_timeout":
                error = f"timed out in exercise {_number(exercise.grade_id)} (the time for the whole notebook ran out)"
                stop = stop or error
            else:
                error = stop or "not graded"
            scores.append(ExerciseScore(check_id, 0.0, points, error))
    for event in events:
        if event["event"] == "tampering":
            tampering = event["message"]
        elif event["event"] == "abort" and event["reason"].startswith(
            "judge ended"
        ):
            tampering = (
                f"the grading process was stopped from outside ({event['reason']}), "
                f"in exercise {_number(event['grade_id'] or '?')}"
            )
        elif event["event"] == "internal":
            tampering = tampering or f"grader error: {event['message']}"
    if not any(e["event"] == "submission_done" for e in events):
        tampering = tampering or (
            "the grading processes were killed while grading this submission"
        )
    gone = [e for e in events if e["event"] == "student_gone"]
    if gone:
        message = (
            f"your code ended its Python process ({gone[0]['message']}): "
            "exit(), os._exit() or running out of memory"
        )
        scores = [
            s
            if s.error != "not graded"
            else ExerciseScore(s.grade_id, 0.0, s.max_score, message)
            for s in scores
        ]
    if tampering:  # never rewarded
        scores = [
            ExerciseScore(s.grade_id, 0.0, s.max_score, s.error or "tampering")
            for s in scores
        ]
    return scores, tampering


def _number(grade_id: str) -> str:
    found = re.search(r"ex(\d+)", grade_id)
    return found.group(1) if found else grade_id


# ------------------------------------------------------------------------------ grading


def load_submission(
    path: Path, chapter_path: Path | None, chapters: list[Path]
) -> tuple[nbformat.NotebookNode, Path]:
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=MissingIDFieldWarning)
            nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001  (any unreadable file)
        raise GradingError(
            f"{path}: not a readable notebook ({type(error).__name__}: {error})"
        ) from None
    if chapter_path is None:
        chapter_path = identify_chapter(nb, path, chapters)
    return nb, chapter_path


class Grader:
    """Grades submissions of the chapters in ``book/``; keeps what each chapter needs."""

    def __init__(
        self,
        limits: Limits | None = None,
        require_sandbox: bool = False,
        quiet: bool = False,
    ):
        self.limits = limits or Limits()
        self.bwrap = bwrap_path()
        if self.bwrap is None:
            if require_sandbox:
                raise EnvironmentProblem(
                    "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
                )
            if not quiet:
                print(NO_SANDBOX_WARNING, file=sys.stderr, flush=True)
        self._chapters: dict[Path, Chapter] = {}
        self._students: dict[Path, nbformat.NotebookNode] = {}

    def chapter(self, path: Path) -> Chapter:
        path = Path(path).resolve()
        if path not in self._chapters:
            self._chapters[path] = read_chapter(path)
        return self._chapters[path]

    def student_version(self, path: Path) -> nbformat.NotebookNode:
        path = Path(path).resolve()
        if path not in self._students:
            with tempfile.TemporaryDirectory(
                prefix="vae-course-release-"
            ) as tmp:
                (written,) = ma.make_release([path], Path(tmp))
                self._students[path] = nbformat.read(written, as_version=4)
        return self._students[path]

    def grade_answers(
        self,
        chapter_path: Path,
        submissions: list[dict[str, str]],
        only: list[str] | None = None,
    ) -> tuple[list[tuple[list[ExerciseScore], str]], str]:
        """Grade several sets of answers (by exercise grade_id) against one run of the chapter.

        ``only`` limits the checks to those exercises (their answers, and the others', still run).
        Production grading gives one submission per call (one sandbox each); the fairness test
        gives many trusted cases, which share a sandbox but each get fresh processes.
        """
        return self.grade_many(
            chapter_path, [(answers, only) for answers in submissions]
        )

    def grade_many(
        self,
        chapter_path: Path,
        jobs: list[tuple[dict[str, str], list[str] | None]],
    ) -> tuple[list[tuple[list[ExerciseScore], str]], str]:
        """Like grade_answers, with its own ``only`` for each set of answers."""
        chapter = self.chapter(chapter_path)
        worker_jobs = [{"answers": a, "only": only} for a, only in jobs]
        events, failure = run_worker(
            chapter, worker_jobs, self.limits, self.bwrap
        )
        if failure:
            return [], failure
        return [
            scores_from_events(chapter, e, only)
            for e, (_, only) in zip(events, jobs)
        ], ""

    def grade_notebook(
        self, path: Path, chapter_path: Path | None = None, chapters=None
    ) -> GradedSubmission:
        path = Path(path)
        nb, chapter_path = load_submission(
            path, chapter_path, chapters or chapter_notebooks()
        )
        restored = restore_metadata(nb, self.student_version(chapter_path))
        chapter = self.chapter(chapter_path)
        answers, notes = student_answers(nb, chapter)
        results, failure = self.grade_answers(chapter_path, [answers])
        if failure:
            raise GradingError(f"{path}: could not grade it: {failure}")
        ((scores, tampering),) = results
        return GradedSubmission(
            path, chapter.name, scores, restored, notes, tampering
        )

    def check_environment(self, chapter_paths: list[Path]) -> None:
        """Refuse to grade when the profile, the data or the reference solutions are not right."""
        try:
            import importlib

            course_settings = importlib.import_module("vae_course.settings")
            course_settings.settings.cache_clear()
            chosen = course_settings.settings()
        except Exception as error:  # noqa: BLE001  (said in the refusal)
            raise EnvironmentProblem(
                f"the course settings are not valid: {error}"
            ) from None
        try:
            import vae_course as vc

            vc.load_mnist(source="offline", verbose=False)
            if chosen.profile == "full" and not chosen.offline:
                vc.load_mnist(download=False, verbose=False)
        except Exception as error:  # noqa: BLE001  (said in the refusal)
            raise EnvironmentProblem(
                f"the data for the {chosen.profile!r} profile is not available "
                f"({type(error).__name__}: {error}); set VAE_COURSE_OFFLINE=1 or "
                "download the data first"
            ) from None
        for path in chapter_paths:
            chapter = self.chapter(path)
            answers = {e.grade_id: e.reference for e in chapter.exercises}
            results, failure = self.grade_answers(path, [answers])
            if failure:
                raise EnvironmentProblem(
                    f"{chapter.name}: the chapter cannot be graded here: {failure}"
                )
            ((scores, tampering),) = results
            lost = [
                f"{s.exercise}: {s.error}"
                for s in scores
                if s.score < s.max_score
            ]
            if lost or tampering:
                raise EnvironmentProblem(
                    f"{chapter.name}: the chapter's own reference solutions lose points "
                    f"in this environment, so students would too:\n  "
                    + "\n  ".join(lost + ([tampering] if tampering else []))
                )


def grade_notebook(
    path: Path, chapter: Path | None = None, chapters: list[Path] | None = None
) -> GradedSubmission:
    """Grade one submitted notebook (no environment check; see Grader.check_environment)."""
    return Grader(quiet=True).grade_notebook(path, chapter, chapters)


def _submissions(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*.ipynb")
                if ".ipynb_checkpoints" not in p.parts
            )
        else:
            found.append(path)
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        help="notebooks, or folders holding them",
    )
    parser.add_argument(
        "--chapter",
        type=Path,
        help="the chapter notebook in book/ (default: recognised)",
    )
    parser.add_argument(
        "--csv",
        type=Path,
        help="also write the scores here (one row per exercise)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: the number of CPU cores)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        help=f"seconds per submission, all exercises (default {DEFAULT_TIME_LIMIT})",
    )
    parser.add_argument(
        "--exercise-time-limit",
        type=float,
        default=DEFAULT_EXERCISE_TIME,
        help=f"seconds per exercise (default {DEFAULT_EXERCISE_TIME})",
    )
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=DEFAULT_MEMORY / 2**30,
        help="GiB of memory for a submission's code (default 8)",
    )
    parser.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to grade without bubblewrap",
    )
    parser.add_argument(
        "--skip-environment-check",
        action="store_true",
        help="do not grade the reference solutions first (not recommended)",
    )
    args = parser.parse_args(argv)
    from tqdm import tqdm

    use_notebook_env()
    chapters = chapter_notebooks()
    limits = Limits(
        args.time_limit,
        args.exercise_time_limit,
        int(args.memory_limit * 2**30),
    )
    try:
        grader = Grader(limits, require_sandbox=args.require_sandbox)
    except EnvironmentProblem as error:
        print(f"refusing to grade: {error}", file=sys.stderr)
        return 2
    paths = _submissions(args.submissions)
    chapter = args.chapter.resolve() if args.chapter else None
    loaded, failed = {}, 0
    for path in paths:
        try:
            loaded[path] = load_submission(path, chapter, chapters)[1]
        except GradingError as error:
            print(f"{error}\n", file=sys.stderr, flush=True)
            failed += 1
    if not args.skip_environment_check:
        used = sorted(set(loaded.values()))
        print(
            f"checking the environment: grading the reference solutions of "
            f"{', '.join(c.stem for c in used)}",
            file=sys.stderr,
            flush=True,
        )
        try:
            grader.check_environment(used)
        except EnvironmentProblem as error:
            print(f"refusing to grade: {error}", file=sys.stderr)
            return 2
    results: dict[Path, GradedSubmission | str] = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {
            pool.submit(
                grader.grade_notebook, path, loaded[path], chapters
            ): path
            for path in loaded
        }
        bar = tqdm(
            concurrent.futures.as_completed(futures),
            total=len(futures),
            unit="submission",
            file=sys.stderr,
        )
        for future in bar:
            path = futures[future]
            try:
                results[path] = future.result()
            except Exception as error:  # noqa: BLE001  (grade the others)
                results[path] = f"{path}: could not grade it: {error}"
    rows = []
    for path in loaded:
        result = results[path]
        if isinstance(result, str):
            print(f"{result}\n", file=sys.stderr, flush=True)
            failed += 1
            continue
        print(result.report() + "\n", flush=True)
        rows += [
            [
                str(path),
                result.chapter,
                s.exercise,
                f"{s.score:g}",
                f"{s.max_score:g}",
                s.error,
            ]
            for s in result.scores
        ]
        if result.tampering:
            rows.append(
                [
                    str(path),
                    result.chapter,
                    "TAMPERING",
                    "0",
                    "0",
                    result.tampering,
                ]
            )
    if args.csv:
        with args.csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "submission",
                    "chapter",
                    "exercise",
                    "score",
                    "max_score",
                    "error",
                ]
            )
            writer.writerows(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
