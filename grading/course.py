"""Where the course is, which chapters have exercises, and the profile the tools use.

The instructors' tools read the chapters from the repository they are installed from
(``pip install -e .[instructor]``): ``book/*.ipynb``, the only copy of the course.
"""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONFIG_FILE = ROOT / "instructors" / "nbgrader_config.py"

# The CI profile (vae_course/settings.py): offline digits, few epochs. These
# are defaults: an instructor who sets the variables chooses another.
CI_PROFILE = {"VAE_COURSE_PROFILE": "quick", "VAE_COURSE_OFFLINE": "1"}


def use_ci_profile(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set the CI profile's variables that the environment does not set."""
    for key, value in CI_PROFILE.items():
        environ.setdefault(key, value)


def has_exercises(notebook: Path) -> bool:
    """Whether a notebook holds nbgrader checks cells (read as plain JSON)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return any(
        isinstance(c, dict)
        and isinstance(c.get("metadata"), dict)
        and isinstance(c["metadata"].get("nbgrader"), dict)
        and c["metadata"]["nbgrader"].get("grade")
        for c in cells
    )


def chapter_notebooks(book: Path = BOOK) -> list[Path]:
    """The chapters of the book that have exercises, in file-name order."""
    return [p for p in sorted(book.glob("*.ipynb")) if has_exercises(p)]
