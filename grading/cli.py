"""``python -m grading``: grade submitted notebooks, a score per exercise.

Usage (from the repository, after ``pip install -e .[instructor]``)::

    python -m grading submissions/alice/01_recap.ipynb
    python -m grading submissions/                      # every .ipynb below the folder
    python -m grading submissions/ --csv scores.csv --jobs 8 --time-limit 300
    python -m grading submissions/ --scheduler tcp://host:8786   # on a Dask cluster

What counts from a submission is its answer cells. The grader runs the instructor's chapter
from ``book/`` up to its first exercise, then each exercise: the student's answer cell runs
in a *student process*, the instructor's checks cell (hidden tests included) in a separate
*judge process* that never runs student code and calls the student's functions through a
pipe that carries data only, all inside a sandbox (see grading/sandbox.py). An exercise gets
its points when its checks cell raises nothing. Before grading, the grader checks the
environment: a valid ``VAE_COURSE_PROFILE``, the data the profile needs, and the chapter's
own reference solutions graded with full marks. The notebooks run with the CI profile
(``VAE_COURSE_PROFILE=quick``, offline digits) unless those variables are set.

Submissions of one chapter are graded in batches (``--batch-size``): one sandbox runs the
chapter's own cells once, then each submission in fresh processes forked from that run,
with the sandbox put back as the chapter left it in between (grading/worker.py). With
``--scheduler`` (or ``--local-cluster``) the batches go to the workers of a Dask cluster,
each of which grades them in its own sandbox (grading/distributed.py).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import queue
import signal
import sys
from pathlib import Path

from grading import sandbox
from grading.chapters import GradingError, load_submission
from grading.course import (
    BOOK,
    chapter_notebooks,
    has_exercises,
    use_ci_profile,
)
from grading.grader import EnvironmentProblem, Grader
from grading.limits import memory_note
from grading.report import ScoreSheet, digest, feedback, rows, shown
from grading.sandbox import (
    DEFAULT_EXERCISE_TIME,
    DEFAULT_MEMORY,
    DEFAULT_TIME_LIMIT,
    Limits,
)

DEFAULT_BATCH = (
    16  # submissions of a chapter graded after one run of its cells
)


def _submissions(paths: list[Path]) -> dict[Path, Path]:
    """Each submission, with its name below the folder given (for its feedback file)."""
    found = {}
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in p.parts and p.is_file():
                    found[p] = p.relative_to(path)
        else:
            found[path] = Path(path.name)
    return found


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a number"
            ) from None
        if not value > 0:
            raise argparse.ArgumentTypeError(
                f"must be more than 0, got {text} (there is no 'no limit')"
            )
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grading", description=__doc__.split("\n\n")[0]
    )
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
        help="also write the scores here (one row per exercise), as they "
        "come; an existing sheet is continued (what it holds is not "
        "graded again)",
    )
    parser.add_argument(
        "--feedback",
        type=Path,
        help="write one Markdown feedback file per submission in this folder "
        "(default with --csv: the CSV's name with -feedback, beside it)",
    )
    parser.add_argument(
        "--show-hidden-messages",
        action="store_true",
        help="feedback files quote the message of a failed hidden check "
        "(default: they say that a hidden check failed, not which)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive(int),
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: the number of CPU cores)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive(int),
        default=DEFAULT_BATCH,
        help="submissions of a chapter graded in one sandbox, after one run "
        f"of the chapter's own cells (default {DEFAULT_BATCH}; 1: a sandbox "
        "for each submission)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the workers of this Dask scheduler "
        "(tcp://host:8786); each needs this course, bubblewrap and "
        "pip install -e '.[instructor]'",
    )
    parser.add_argument(
        "--local-cluster",
        type=_positive(int),
        metavar="N",
        help="grade on a Dask cluster of N worker processes on this machine",
    )
    parser.add_argument(
        "--time-limit",
        type=_positive(float),
        default=DEFAULT_TIME_LIMIT,
        help=f"seconds per submission, all exercises (default {DEFAULT_TIME_LIMIT})",
    )
    parser.add_argument(
        "--exercise-time-limit",
        type=_positive(float),
        default=DEFAULT_EXERCISE_TIME,
        help=f"seconds per exercise (default {DEFAULT_EXERCISE_TIME})",
    )
    parser.add_argument(
        "--memory-limit",
        type=_positive(float),
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
    return parser


def check_options(
    parse: argparse.ArgumentParser, args: argparse.Namespace
) -> dict[Path, Path]:
    """Refuse, before any grading, options that would fail later; the submissions."""
    if not chapter_notebooks():
        parse.error(
            f"no chapters with exercises in {BOOK}: run the instructors' tools "
            "from a clone of the course, installed with "
            "pip install -e '.[instructor]'"
        )
    if args.chapter is not None and not (
        args.chapter.is_file() and has_exercises(args.chapter)
    ):
        parse.error(
            f"--chapter {args.chapter}: not a chapter notebook with exercises"
        )
    if args.csv is not None:
        if args.csv.is_dir():
            parse.error(f"--csv {args.csv}: is a folder; name a file")
        if not args.csv.parent.is_dir():
            parse.error(
                f"--csv {args.csv}: the folder {args.csv.parent} does not exist"
            )
        if args.csv.exists() and not os.access(args.csv, os.W_OK):
            parse.error(f"--csv {args.csv}: cannot be written")
        if not args.csv.exists() and not os.access(args.csv.parent, os.W_OK):
            parse.error(f"--csv {args.csv}: its folder cannot be written")
    if args.feedback is None and args.csv is not None:
        args.feedback = args.csv.with_name(args.csv.stem + "-feedback")
    if args.feedback is not None and (
        args.feedback.is_file() or not args.feedback.parent.is_dir()
    ):
        parse.error(
            f"--feedback {args.feedback}: not a folder, or its parent does not exist"
        )
    if args.scheduler and args.local_cluster:
        parse.error("--scheduler and --local-cluster: choose one")
    if args.scheduler or args.local_cluster:
        try:
            import distributed  # noqa: F401
        except ImportError:
            parse.error(
                "--scheduler and --local-cluster need Dask distributed: "
                "pip install -e '.[instructor]'"
            )
    missing = [p for p in args.submissions if not p.exists()]
    if missing:
        parse.error(
            "no such file or folder: " + ", ".join(str(p) for p in missing)
        )
    paths = _submissions(args.submissions)
    if not paths:
        parse.error("no .ipynb files in the folders given")
    return paths


def main(argv: list[str]) -> int:
    """The command line; returns the exit status (0: every submission graded,
    1: some could not be, 2: refused before grading, 130: interrupted)."""
    parse = parser()
    args = parse.parse_args(argv)
    paths = check_options(parse, args)
    from tqdm import tqdm

    # Ctrl-C stops the run and keeps what was graded, even when the grader was
    # started where SIGINT is ignored (a shell script's background job
    # inherits that, and Python then never raises KeyboardInterrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    use_ci_profile()
    chapters = chapter_notebooks()
    limits = Limits(
        args.time_limit,
        args.exercise_time_limit,
        int(args.memory_limit * 2**30),
    )
    try:
        sheet = ScoreSheet(args.csv) if args.csv else None
        if args.feedback is not None:
            args.feedback.mkdir(exist_ok=True)
    except (OSError, ValueError) as error:
        print(f"refusing to grade: {error}", file=sys.stderr)
        return 2

    def give_feedback(path: Path, text: str) -> None:
        if args.feedback is not None:
            target = args.feedback / paths[path].with_suffix(".md")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

    try:
        grader = Grader(limits, require_sandbox=args.require_sandbox)
    except EnvironmentProblem as error:
        print(f"refusing to grade: {error}", file=sys.stderr)
        return 2
    print(memory_note(limits.memory), file=sys.stderr, flush=True)
    chapter = args.chapter.resolve() if args.chapter else None
    loaded, failed, skipped = {}, 0, 0
    for path in paths:
        sha = digest(path) if path.is_file() else ""
        if sheet is not None and sheet.has(path, sha):
            skipped += 1
            continue
        try:
            loaded[path] = (load_submission(path, chapter, chapters)[1], sha)
        except GradingError as error:
            failed += 1
            give_feedback(path, _not_graded(path, sha, str(error), sheet))
    if skipped:
        print(
            f"{skipped} submissions are in {args.csv} already (same files): "
            "not graded again",
            file=sys.stderr,
            flush=True,
        )
    remote = bool(args.scheduler or args.local_cluster)
    if not args.skip_environment_check and loaded and not remote:
        used = sorted({chapter for chapter, _ in loaded.values()})
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
    size = args.batch_size if grader.bwrap or remote else 1
    jobs = args.jobs
    results: queue.Queue = queue.Queue()

    def on_result(path: Path, result) -> None:
        results.put((path, result))

    if remote:
        from grading import distributed

        try:
            runner = distributed.DaskRunner(
                args.scheduler,
                args.local_cluster,
                limits,
                args.require_sandbox,
                not args.skip_environment_check,
            )
        except Exception as error:  # noqa: BLE001  (said, nothing graded)
            print(
                f"refusing to grade: no Dask cluster: {error}", file=sys.stderr
            )
            if sheet is not None:
                sheet.close()
            return 2
        jobs = runner.slots()
    else:
        runner = LocalRunner(grader, jobs)
    batches = plan_batches(
        {p: chapter for p, (chapter, _) in loaded.items()}, size, jobs
    )
    progress = tqdm(total=len(loaded), unit="submission", file=sys.stderr)
    try:
        runner.start(batches, on_result)
        for _ in range(len(loaded)):
            path, result = results.get()
            progress.update()
            sha = loaded[path][1]
            if isinstance(result, Exception):
                failed += 1
                give_feedback(path, _not_graded(path, sha, str(result), sheet))
                continue
            print(result.report() + "\n", flush=True)
            if sheet is not None:
                sheet.add(path, sha, rows(result))
            give_feedback(path, feedback(result, args.show_hidden_messages))
    except KeyboardInterrupt:
        runner.stop()
        print(
            "\ninterrupted: what was graded is above"
            + (
                f" and in {args.csv}; run the same command again to grade the rest"
                if sheet is not None
                else ""
            ),
            file=sys.stderr,
        )
        return 130
    finally:
        progress.close()
        runner.close()
        if sheet is not None:
            sheet.close()
    return 1 if failed else 0


def plan_batches(
    chapters: dict[Path, Path], size: int, jobs: int
) -> list[tuple[Path, list[Path]]]:
    """The batches: (chapter, submissions), at most ``size`` submissions each.

    Each chapter's submissions are cut into equal batches; while there are
    fewer batches than ``jobs`` (what runs at once), the chapter with the
    largest batches is cut once more, so that no core waits.
    """
    by_chapter: dict[Path, list[Path]] = {}
    for path, chapter in chapters.items():
        by_chapter.setdefault(chapter, []).append(path)
    count = {c: -(-len(p) // size) for c, p in by_chapter.items()}
    while sum(count.values()) < jobs:
        c = max(count, key=lambda c: len(by_chapter[c]) / count[c])
        if count[c] >= len(by_chapter[c]):
            break
        count[c] += 1
    batches = []
    for c, found in sorted(by_chapter.items()):
        parts = count[c]
        for k in range(parts):
            part = found[
                k * len(found) // parts : (k + 1) * len(found) // parts
            ]
            if part:
                batches.append((c, part))
    return batches


class LocalRunner:
    """Batches graded on this machine, ``jobs`` sandboxes at once."""

    def __init__(self, grader: Grader, jobs: int):
        self.grader = grader
        self.pool = concurrent.futures.ThreadPoolExecutor(jobs)

    def start(self, batches, on_result) -> None:
        def run(chapter, paths):
            done = set()

            def seen(path, result):
                done.add(path)
                on_result(path, result)

            try:
                self.grader.grade_batch(chapter, paths, seen)
            except Exception as error:  # noqa: BLE001  (grade the others)
                for path in paths:
                    if path not in done:
                        on_result(path, GradingError(f"{path}: {error}"))

        for chapter, paths in batches:
            self.pool.submit(run, chapter, paths)

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        sandbox.stop_all()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _not_graded(path: Path, sha: str, why: str, sheet) -> str:
    """A submission that could not be graded: said, 0 in the sheet; its feedback."""
    why = why.removeprefix(f"{path}: ")
    print(f"{shown(path, 1000)}: NOT GRADED: {shown(why)}\n", flush=True)
    if sheet is not None and sha:
        sheet.add(path, sha, [["", "NOT GRADED", "0", "0", why]])
    return (
        f"# Feedback: {path.name}\n\nYour notebook could not be graded: "
        f"{shown(why)}\n\nScore: **0**. Hand in the .ipynb file that Jupyter or "
        "Colab saves, with the exercise cells where they were.\n"
    )
