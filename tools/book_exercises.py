"""The website's list of exercises, made from the chapters' nbgrader metadata when the book builds.

A Sphinx extension (loaded from _config.yml: sphinx.local_extensions) with one directive::

    ```{exercise-list}
    ```

which writes a table of every chapter's exercises in book order (the chapters are the notebooks
of ``_toc.yml``, so chapters added later appear without editing the page): each exercise's title
(the ``### Exercise ...`` heading above its checks cells), linked to its section, and its points
(the sum of the ``points`` of its graded cells, with the parts when there are several), its kind
(the ``vae_course.kind`` of its solution cells: see ``KINDS``), then the chapter's and the course's
totals, and the course's points by kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from book_toc import chapter_notebooks  # tools/book_toc.py
from docutils import nodes
from docutils.statemachine import StringList
from myst_parser.mdit_to_docutils.base import default_slugify
from sphinx.util.docutils import SphinxDirective

HEADING = re.compile(r"^(#{1,3})\s+(.*\S)\s*$")

#: The kinds of exercise (a solution cell's ``metadata["vae_course"]["kind"]``), in the order the
#: table lists them, with what each means.
KINDS = {
    "derivation": "derive what the chapter does not show, then code it",
    "design": "open-ended; graded by a measured outcome, with partial credit",
    "capstone": "a VAE from scratch, graded in parts",
    "warm-up": "write down a formula or code the chapter shows",
}


def solution_kind(cell, path: Path) -> str:
    """The kind of a solution cell (``KINDS``); a clear error when it has none."""
    kind = cell.metadata.get("vae_course", {}).get("kind")
    if kind not in KINDS:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        raise ValueError(
            f"{path.name}: solution cell {grade_id} has kind {kind!r}; set "
            f'metadata["vae_course"]["kind"] to one of {", ".join(KINDS)}'
        )
    return kind


@dataclass
class Exercise:
    title: str
    anchor: str
    parts: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # one per part

    @property
    def points(self) -> float:
        return sum(self.parts)

    def points_by_kind(self) -> dict[str, float]:
        by_kind: dict[str, float] = {}
        for kind, points in zip(self.kinds, self.parts):
            by_kind[kind] = by_kind.get(kind, 0.0) + points
        return by_kind


def anchor(heading: str) -> str:
    """The slug MyST gives a heading (myst_heading_anchors): its text without the maths."""
    return default_slugify(re.sub(r"\$[^$]*\$", "", heading))


def chapter_exercises(path: Path) -> tuple[str, list[Exercise]]:
    """The chapter's title and its exercises (graded cells grouped under their heading)."""
    nb = nbformat.read(path, as_version=4)
    title = path.stem
    heading = None
    kind = None
    exercises: dict[str, Exercise] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = HEADING.match(line)
                if not match:
                    continue
                if len(match.group(1)) == 1 and title == path.stem:
                    title = match.group(2)
                heading = match.group(2)
            continue
        grader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and grader.get("solution"):
            kind = solution_kind(cell, path)
        if cell.cell_type == "code" and grader.get("grade"):
            if heading is None:
                raise ValueError(
                    f"{path.name}: graded cell {grader.get('grade_id')} has no heading above it"
                )
            exercise = exercises.setdefault(
                heading, Exercise(heading, anchor(heading))
            )
            exercise.parts.append(float(grader.get("points", 0)))
            exercise.kinds.append(kind or "warm-up")
    return title, list(exercises.values())


def _number(points: float) -> str:
    return f"{points:g}"


def exercise_table(root: Path | None = None) -> list[str]:
    """The MyST text of the list (module docstring)."""
    lines = [
        "| chapter | exercise | points | kind |",
        "|---|---|---|---|",
    ]
    total = 0.0
    by_kind = dict.fromkeys(KINDS, 0.0)
    for path in chapter_notebooks(*([root] if root else [])):
        title, exercises = chapter_exercises(path)
        if not exercises:
            continue
        number = path.stem.split("_")[0].lstrip("0")
        label = f"Chapter {number}" if number.isdigit() else title
        chapter = f"{{doc}}`{label} <{path.stem}>`"
        for exercise in exercises:
            parts = (
                f" ({' + '.join(_number(p) for p in exercise.parts)})"
                if len(exercise.parts) > 1
                else ""
            )
            name = exercise.title.replace("|", "\\|")
            kinds = exercise.points_by_kind()
            lines.append(
                f"| {chapter} | [{name}]({path.name}#{exercise.anchor}) | "
                f"{_number(exercise.points)}{parts} | {', '.join(kinds)} |"
            )
            chapter = ""
            for k, points in kinds.items():
                by_kind[k] += points
        points = sum(e.points for e in exercises)
        total += points
        lines.append(f"| | *chapter total* | *{_number(points)}* | |")
    lines.append(f"| | **course total** | **{_number(total)}** | |")
    for k, points in by_kind.items():
        share = 100 * points / total if total else 0.0
        lines.append(
            f"| | *{k}*: {KINDS[k]} | *{_number(points)} ({share:.0f} %)* | |"
        )
    return lines


class ExerciseList(SphinxDirective):
    has_content = False

    def run(self):
        for path in chapter_notebooks():
            self.env.note_dependency(str(path))
        node = nodes.container(classes=["exercise-list"])
        self.state.nested_parse(
            StringList(exercise_table(), source=self.get_source_info()[0]),
            self.content_offset,
            node,
        )
        return [node]


def setup(app):
    app.add_directive("exercise-list", ExerciseList)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
