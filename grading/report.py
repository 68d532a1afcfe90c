"""Scores: what the worker's events mean for each checks cell, the report, the CSV."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from grading.chapters import Chapter

SHOWN = 300  # characters of student text in a report line or a CSV cell
CSV_HEADER = [
    "submission",
    "sha256",
    "chapter",
    "exercise",
    "score",
    "max_score",
    "error",
]
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def shown(text: str, limit: int = SHOWN) -> str:
    """Student text made safe to print: one line, control characters escaped, at most
    ``limit`` characters (newlines and terminal escape codes cannot fake a score line)."""
    text = str(text)
    size = len(text)
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text[: limit * 2])
    if size > limit or len(text) > limit:
        suffix = f"... ({size} characters)"
        text = text[: limit - len(suffix)] + suffix
    return text


@dataclass
class ExerciseScore:
    grade_id: str  # of the checks cell
    score: float
    max_score: float
    error: str  # why points were lost ("" when the checks passed)
    hidden: bool = False  # the check that failed is one of the hidden tests

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
        lines = [f"{shown(self.path, 1000)} ({self.chapter})"]
        for s in self.scores:
            line = f"  {s.exercise:<{width}}  {s.score:g} / {s.max_score:g}"
            lines.append(f"{line}   {shown(s.error)}" if s.error else line)
        lines.append(
            f"  {'total':<{width}}  {self.total:g} / {self.max_total:g}"
        )
        if self.tampering:
            lines.append(f"  TAMPERING: {shown(self.tampering)}")
        if self.restored:
            lines.append(
                "  (nbgrader metadata was missing and restored for: "
                f"{', '.join(self.restored)})"
            )
        lines += [f"  ({shown(note)})" for note in self.notes]
        return "\n".join(lines)


def scores_from_events(
    chapter: Chapter, events: list[dict], only: list[str] | None = None
) -> tuple[list[ExerciseScore], str]:
    """Turn a submission's worker events into a score per checks cell, and any tampering.

    A timeout or a crash (the student process ended: exit(), os._exit(), out of
    memory) costs the exercise it happened in; the later ones are still graded.
    Tampering (the judge killed, a reply that is not data, an unsigned event on the
    result channel) costs everything and is said in the report.
    """
    results = {e["check_id"]: e for e in events if e["event"] == "result"}
    aborts = {e["grade_id"]: e for e in events if e["event"] == "abort"}
    gone = {
        e.get("grade_id"): e for e in events if e["event"] == "student_gone"
    }
    host_timeout = any(
        e["event"] == "abort"
        and e["reason"] == "total_timeout"
        and e["grade_id"] is None
        for e in events
    )
    tampering = ""
    stop = ""  # why the exercises after this point were not graded
    scores = []
    for exercise in chapter.exercises:
        if only is not None and exercise.grade_id not in only:
            continue
        abort = aborts.get(exercise.grade_id)
        number = _number(exercise.grade_id)
        for check_id, _, points in exercise.checks:
            result = results.get(check_id)
            if result is not None and result["passed"] and not stop:
                scores.append(_passed(check_id, points, result))
                continue
            if result is not None:
                error = result["message"] or "the checks failed"
                if result.get("hidden"):
                    scores.append(
                        ExerciseScore(check_id, 0.0, points, error, True)
                    )
                    continue
            elif abort is not None and abort["reason"] == "timeout":
                error = f"timed out in exercise {number}: does it finish?"
            elif abort is not None and abort["reason"] == "total_timeout":
                error = f"timed out in exercise {number} (the time for the whole notebook ran out)"
                stop = stop or error
            elif abort is not None and abort["reason"] == "crashed":
                why = gone.get(exercise.grade_id, {}).get("message", "")
                error = (
                    f"your code ended its Python process in exercise {number} "
                    f"({why}): exit(), os._exit() or running out of memory"
                )
            elif host_timeout:
                error = stop = stop or (
                    "not graded: the time for the whole notebook ran out"
                )
            else:
                error = stop or "not graded"
            scores.append(ExerciseScore(check_id, 0.0, points, error))
    for event in events:
        if event["event"] == "tampering":
            tampering = tampering or str(event.get("message"))
        elif event["event"] == "abort" and str(event["reason"]).startswith(
            "judge ended"
        ):
            tampering = tampering or (
                f"the grading process was stopped from outside ({event['reason']}), "
                f"in exercise {_number(event['grade_id'] or '?')}"
            )
        elif event["event"] == "internal":
            tampering = tampering or f"grader error: {event['message']}"
    if not host_timeout and not any(
        e["event"] == "submission_done" for e in events
    ):
        tampering = tampering or (
            "the grading processes were killed while grading this submission"
        )
    if tampering:  # never rewarded
        scores = [
            ExerciseScore(s.grade_id, 0.0, s.max_score, s.error or "tampering")
            for s in scores
        ]
    return scores, tampering


def _passed(check_id: str, points: float, result: dict) -> ExerciseScore:
    """A checks cell that raised nothing: its points, or the partial credit
    its last expression gave (clipped to [0, points], to 0.01 points), with
    the line it printed last as the reason."""
    credit = result.get("credit")
    if credit is None:
        return ExerciseScore(check_id, points, points, "")
    if type(credit) not in (int, float) or credit != credit:
        credit = 0.0
    score = round(min(max(float(credit), 0.0), points), 2)
    if score >= points:
        return ExerciseScore(check_id, points, points, "")
    why = str(result.get("message") or "")
    return ExerciseScore(
        check_id,
        score,
        points,
        why or f"partial credit: {score:g} of {points:g} points",
    )


def _number(grade_id: str) -> str:
    found = re.search(r"ex(\d+)", grade_id)
    return found.group(1) if found else grade_id


def digest(path: Path) -> str:
    """The sha256 of a submission's bytes: a re-run skips what it graded already."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class ScoreSheet:
    """The CSV of scores, one row per exercise, written as each submission is graded.

    An existing sheet is continued: the submissions it holds (same path, same bytes)
    are not graded again.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.graded: set[tuple[str, str]] = set()
        if self.path.exists() and self.path.stat().st_size:
            with self.path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            if not rows or rows[0] != CSV_HEADER:
                raise ValueError(
                    f"{self.path} exists and is not a score sheet of this grader "
                    f"(its first row is not {','.join(CSV_HEADER)}); choose another --csv"
                )
            self.graded = {(r[0], r[1]) for r in rows[1:] if len(r) >= 2}
            self._handle = self.path.open("a", newline="", encoding="utf-8")
        else:
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            csv.writer(self._handle).writerow(CSV_HEADER)
            self._handle.flush()
        self._writer = csv.writer(self._handle)

    def has(self, path: Path, sha256: str) -> bool:
        return (str(path), sha256) in self.graded

    def add(self, path: Path, sha256: str, rows: list[list[str]]) -> None:
        """Rows of [chapter, exercise, score, max_score, error] for one submission."""
        for row in rows:
            self._writer.writerow([str(path), sha256, *row[:4], shown(row[4])])
        self._handle.flush()
        self.graded.add((str(path), sha256))

    def close(self) -> None:
        self._handle.close()


def rows(result: GradedSubmission) -> list[list[str]]:
    """A graded submission's CSV rows (see ScoreSheet.add)."""
    out = [
        [
            result.chapter,
            s.exercise,
            f"{s.score:g}",
            f"{s.max_score:g}",
            s.error,
        ]
        for s in result.scores
    ]
    if result.tampering:
        out.append([result.chapter, "TAMPERING", "0", "0", result.tampering])
    return out


HIDDEN_NOTE = (
    "one of the hidden checks failed (they test more cases than the visible "
    "ones: make sure your answer holds for every input the task allows)"
)


def feedback(result: GradedSubmission, show_hidden: bool = False) -> str:
    """The feedback file for one student and chapter (Markdown): each exercise's points
    and the reason for lost ones; a failed hidden check's message only if ``show_hidden``."""

    def cell(text: str) -> str:
        return shown(text).replace("|", "\\|").replace("`", "'")

    lines = [
        f"# Feedback: {cell(result.chapter)}",
        "",
        f"Submission: `{cell(Path(result.path).name)}`  ",
        f"Score: **{result.total:g} / {result.max_total:g}**",
        "",
        "| exercise | points | why points were lost |",
        "|---|---|---|",
    ]
    for s in result.scores:
        why = s.error
        if s.hidden and not show_hidden:
            why = HIDDEN_NOTE
        lines.append(
            f"| {cell(s.exercise)} | {s.score:g} / {s.max_score:g} | "
            f"{cell(why) if why else ''} |"
        )
    if result.tampering:
        lines += [
            "",
            "**Not scored:** the grader saw your code interfere with the "
            f"grading ({cell(result.tampering)}).",
        ]
    if result.restored:
        lines += [
            "",
            "Your editor had dropped the exercise cells' metadata; the grader "
            "found them by their place.",
        ]
    return "\n".join(lines) + "\n"
