"""The Grader: grades submissions of the book's chapters, after checking the environment."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat

from grading import assignments
from grading.chapters import (
    Chapter,
    GradingError,
    load_submission,
    read_chapter,
    restore_metadata,
    student_answers,
)
from grading.course import chapter_notebooks
from grading.report import ExerciseScore, GradedSubmission, scores_from_events
from grading.sandbox import (
    NO_SANDBOX_WARNING,
    Limits,
    as_root,
    bwrap_path,
    run_worker,
)


class EnvironmentProblem(Exception):
    """The instructor's environment cannot grade fairly (bad profile, missing data...)."""


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
            if as_root():
                raise EnvironmentProblem(
                    "bubblewrap (bwrap) is not installed, and grading as root "
                    "without it would run student code as root: "
                    "apt-get install bubblewrap"
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
                (written,) = assignments.make_release([path], Path(tmp))
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
        chapter = self.chapter(chapter_path)
        try:
            restored = restore_metadata(nb, self.student_version(chapter_path))
            answers, notes = student_answers(nb, chapter)
        except Exception as error:  # noqa: BLE001  (a malformed notebook)
            raise GradingError(
                f"{path}: its exercise cells cannot be read "
                f"({type(error).__name__}: {error})"
            ) from None
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
            import vae_course as vc

            # settings() reads the variables once; this process may have
            # graded under others before
            getattr(vc.settings, "cache_clear", lambda: None)()
            chosen = vc.settings()
        except Exception as error:  # noqa: BLE001  (said in the refusal)
            raise EnvironmentProblem(
                f"the course settings are not valid: {error}"
            ) from None
        try:
            vc.load_mnist(source="offline", verbose=False)
            if chosen.data_source != "offline":
                # the chapters use real MNIST when it is there; the sandbox
                # has no network, so it must be there before grading
                vc.load_mnist(
                    source="torchvision", download=False, verbose=False
                )
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
