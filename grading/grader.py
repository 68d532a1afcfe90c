"""The Grader: grades submissions of the book's chapters, after checking the environment."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
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

    def _prepare(
        self, path: Path, chapter_path: Path | None, chapters=None
    ) -> tuple[Path, dict[str, str], list[str], list[str]]:
        """A submission's chapter, answers, restored cells and notes (or GradingError)."""
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
        return chapter_path, answers, restored, notes

    def grade_notebook(
        self, path: Path, chapter_path: Path | None = None, chapters=None
    ) -> GradedSubmission:
        """Grade one submitted notebook in a sandbox of its own."""
        path = Path(path)
        chapter_path, answers, restored, notes = self._prepare(
            path, chapter_path, chapters
        )
        results, failure = self.grade_answers(chapter_path, [answers])
        if failure:
            raise GradingError(f"{path}: could not grade it: {failure}")
        ((scores, tampering),) = results
        return GradedSubmission(
            path,
            self.chapter(chapter_path).name,
            scores,
            restored,
            notes,
            tampering,
        )

    def grade_batch(
        self,
        chapter_path: Path,
        paths: list[Path],
        on_result: Callable[[Path, GradedSubmission | GradingError], None],
    ) -> None:
        """Grade notebooks of one chapter in one sandbox: the chapter's cells run once.

        ``on_result(path, GradedSubmission or GradingError)`` is called for each
        path, as its result comes. Each submission gets fresh judge and student
        processes forked from the chapter's run, and the worker puts the sandbox
        back as the chapter left it between submissions (grading/worker.py): a
        submission is scored as it would be in a sandbox of its own. If the
        batch fails as a whole (its worker ends, the chapter fails), the
        submissions it did not finish are graded again: the one it was grading
        alone, the others in a new batch (one by one when the chapter itself
        failed). Without bubblewrap there is no sandbox to reset: each
        submission gets its own worker.
        """
        chapter_path = Path(chapter_path)
        ready = []
        for path in paths:
            try:
                _, answers, restored, notes = self._prepare(path, chapter_path)
            except GradingError as error:
                on_result(path, error)
                continue
            ready.append((Path(path), answers, restored, notes))
        if self.bwrap is None:
            for item in ready:
                self._run_batch(chapter_path, [item], on_result)
        else:
            self._run_batch(chapter_path, ready, on_result)

    def _run_batch(self, chapter_path, ready, on_result) -> None:
        if not ready:
            return
        chapter = self.chapter(chapter_path)
        reported: set[int] = set()

        def report(index: int, events: list[dict]) -> None:
            path, _, restored, notes = ready[index]
            scores, tampering = scores_from_events(chapter, events)
            reported.add(index)
            on_result(
                path,
                GradedSubmission(
                    path, chapter.name, scores, restored, notes, tampering
                ),
            )

        events, failure = run_worker(
            chapter,
            [{"answers": answers, "only": None} for _, answers, _, _ in ready],
            self.limits,
            self.bwrap,
            on_done=report,
        )
        left = [i for i in range(len(ready)) if i not in reported]
        if not left:
            return
        if len(ready) == 1:  # alone: what it did is its result
            if failure:
                path = ready[0][0]
                on_result(
                    path,
                    GradingError(f"{path}: could not grade it: {failure}"),
                )
            else:
                report(0, events[0])
            return
        started = [i for i in left if events[i]]
        if failure or not started and not reported:
            # the batch failed as a whole: one by one
            for i in left:
                self._run_batch(chapter_path, [ready[i]], on_result)
            return
        for i in started:
            if _host_timeout(events[i]):  # its own time ran out: its result
                report(i, events[i])
            else:  # the worker ended in it: again, alone
                self._run_batch(chapter_path, [ready[i]], on_result)
        self._run_batch(
            chapter_path, [ready[i] for i in left if not events[i]], on_result
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


def _host_timeout(events: list[dict]) -> bool:
    """Whether the host stopped the worker because a submission's time ran out."""
    return any(
        e["event"] == "abort"
        and e.get("reason") == "total_timeout"
        and e.get("grade_id") is None
        for e in events
    )


def grade_notebook(
    path: Path, chapter: Path | None = None, chapters: list[Path] | None = None
) -> GradedSubmission:
    """Grade one submitted notebook (no environment check; see Grader.check_environment)."""
    return Grader(quiet=True).grade_notebook(path, chapter, chapters)
