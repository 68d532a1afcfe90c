"""Grading throughput: submissions per minute, one sandbox each against batches.

For each chapter, N submissions are made from its reference solutions and its fairness
cases (tests/fairness/: each case put in the reference's place, so the scores vary), then
graded twice by ``python -m grading`` as an instructor runs it (``--jobs`` sandboxes at
once, on ``--cores`` CPU cores; no environment check):

- ``--batch-size 1``: a sandbox per submission, which runs the chapter's own cells each time
  (the grader before issue 22);
- ``--batch-size B``: batches, the chapter's cells run once per batch.

The two runs must give the same CSV rows (the script stops otherwise). Besides the measured
figures it prints an estimate for a class (many batches of B): from the two runs, the
time of the chapter's cells with the sandbox (P) and of one submission (s) follow as
``s = (E_B - E_1 J / N) / (N / J - 1)`` and ``P = E_1 J / N - s`` (E: elapsed seconds,
J: jobs, each batch N / J submissions), and a class grades ``60 J B / (P + B s)``
submissions per minute. Small N gives small gains (the chapter still runs once per job).

Usage (from the repository root)::

    python benchmarks/bench_grading.py                       # chapters 1, 4, 5; N=8
    python benchmarks/bench_grading.py --chapters 01_recap --n 8
    python benchmarks/bench_grading.py --chapters 04_training 05_inference --n 4

Figures on a machine that other work keeps busy are noisy: the load is printed.
"""

from __future__ import annotations

import argparse
import copy
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grading import assignments as ma  # noqa: E402
from grading.chapters import read_chapter  # noqa: E402
from grading.course import BOOK, CI_PROFILE, chapter_notebooks  # noqa: E402

FAIRNESS = ROOT / "tests" / "fairness"


def submissions(chapter: Path, count: int, folder: Path) -> None:
    """``count`` student notebooks of ``chapter``: the reference, then each
    fairness case in its exercise (the other answers the reference's)."""
    (release,) = ma.make_release([chapter], folder / "release")
    student = nbformat.read(release, as_version=4)
    reference = {
        e.grade_id: e.reference for e in read_chapter(chapter).exercises
    }
    variants = [{}]
    for case in sorted((FAIRNESS / chapter.stem).glob("*/*.py")):
        exercise = case.parent.name.removesuffix("-solution")
        variants.append({exercise: case.read_text()})
    for number in range(count):
        answers = {**reference, **variants[number % len(variants)]}
        nb = copy.deepcopy(student)
        for cell in ma.solution_cells(nb):
            grade_id = cell.metadata.nbgrader["grade_id"]
            exercise = grade_id.removesuffix("-solution")
            if exercise in answers:
                cell.source = answers[exercise]
        path = folder / "class" / f"student{number:03d}" / chapter.name
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)


def grade(folder: Path, sheet: Path, jobs: int, batch: int) -> float:
    """Seconds that ``python -m grading`` takes on the folder."""
    command = [
        sys.executable,
        "-m",
        "grading",
        str(folder),
        "--csv",
        str(sheet),
        "--skip-environment-check",
        "--jobs",
        str(jobs),
        "--batch-size",
        str(batch),
    ]
    start = time.perf_counter()
    run = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **CI_PROFILE, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"grading failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return elapsed


def scores(sheet: Path) -> list[tuple[str, ...]]:
    return sorted(tuple(r) for r in csv.reader(sheet.open()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--chapters",
        nargs="+",
        default=["01_recap", "04_training", "05_inference"],
        help="chapter stems, or 'all' (default: 01_recap 04_training 05_inference)",
    )
    parser.add_argument(
        "--n", type=int, nargs="+", default=[8], help="submissions per chapter"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    if args.chapters == ["all"]:
        chapters = chapter_notebooks()
    else:
        chapters = [BOOK / f"{stem}.ipynb" for stem in args.chapters]
    counts = args.n * len(chapters) if len(args.n) == 1 else args.n
    if len(counts) != len(chapters):
        parser.error("--n: one number, or one per chapter")
    cores = sorted(os.sched_getaffinity(0))[: args.cores]
    os.sched_setaffinity(0, cores)  # the grader and its sandboxes inherit it
    os.environ["OMP_NUM_THREADS"] = "1"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(
        f"commit {commit or '?'}, {len(cores)} cores, --jobs {args.jobs}, "
        f"batches of up to {args.batch_size}; load average at the start "
        f"{os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'chapter':<28}{'N':>4}{'one each':>12}{'batched':>12}"
        f"{'gain':>7}{'class, est.':>13}{'gain':>7}"
    )
    print(header + "\n" + " " * 32 + "(submissions per minute)")
    for chapter, count in zip(chapters, counts, strict=True):
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
            folder = Path(tmp)
            submissions(chapter, count, folder)
            one = grade(folder / "class", folder / "one.csv", args.jobs, 1)
            many = grade(
                folder / "class",
                folder / "many.csv",
                args.jobs,
                args.batch_size,
            )
            if scores(folder / "one.csv") != scores(folder / "many.csv"):
                sys.exit(
                    f"{chapter.stem}: the two modes gave different scores"
                )
        rate_one, rate_many = 60 * count / one, 60 * count / many
        per_batch = count / args.jobs
        estimate = ""
        if per_batch > 1:
            s = max((many - one * args.jobs / count) / (per_batch - 1), 1e-3)
            prefix = max(one * args.jobs / count - s, 0.0)
            size = args.batch_size
            rate = 60 * args.jobs * size / (prefix + size * s)
            estimate = f"{rate:13.1f}{rate / rate_one:6.1f}x"
        print(
            f"{chapter.stem:<28}{count:>4}{rate_one:12.2f}{rate_many:12.2f}"
            f"{rate_many / rate_one:6.1f}x{estimate}",
            flush=True,
        )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
