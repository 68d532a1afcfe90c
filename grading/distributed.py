"""Grading on a Dask cluster: ``python -m grading FOLDER --scheduler tcp://host:8786``.

The instructor's machine reads the submissions, cuts them into batches (one chapter each,
see grading/cli.py) and sends each batch to a worker of the cluster: the notebooks' bytes,
not their paths, so the workers need no shared disk. A worker grades its batch exactly as
``python -m grading`` does on one machine (``Grader.grade_batch``: its own bubblewrap
sandbox, the chapter's cells run once, the sandbox reset between submissions) and sends
back the results, which the instructor's machine writes to the same CSV and feedback files.

Every worker needs a clone of the course at the same commit, installed with
``pip install -e '.[instructor]'``, and bubblewrap; each checks the environment (the
chapter's reference solutions get full marks) once per chapter before its first batch of
it, and refuses a batch whose chapter or grading code differs from the instructor's.
Start them with Dask's own commands::

    dask scheduler                                    # on one machine: tcp://host:8786
    dask worker tcp://host:8786 --nthreads 4 --nworkers 1   # on each grading machine
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

from grading.chapters import GradingError
from grading.course import BOOK, ROOT
from grading.sandbox import Limits

PROFILE_VARIABLES = ("VAE_COURSE_PROFILE", "VAE_COURSE_OFFLINE", "CI")


def course_digest(chapter: Path) -> str:
    """The sha256 of a chapter and of the code that grades it (grading/, vae_course/)."""
    digest = hashlib.sha256(Path(chapter).read_bytes())
    for package in ("grading", "vae_course"):
        for path in sorted((ROOT / package).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------- on a worker

_LOCK = threading.Lock()
_GRADERS: dict = {}
_CHECKED: set = set()


def grade_remote(
    chapter_name: str,
    digest: str,
    items: list[tuple[str, bytes]],
    limits: dict,
    require_sandbox: bool,
    check_environment: bool,
    environment: dict[str, str],
) -> list[tuple[int, object]]:
    """Grade one batch on a Dask worker: ``items`` are (name, notebook bytes).

    Returns (index in ``items``, GradedSubmission or the message of a
    GradingError) for each, with the worker's file names replaced by ``name``.
    """
    from grading.grader import Grader

    os.environ.update(environment)
    chapter = BOOK / chapter_name
    if not chapter.is_file() or course_digest(chapter) != digest:
        raise GradingError(
            f"this worker's course ({ROOT}) differs from the instructor's in "
            f"{chapter_name} or the grading code: use the same commit on every "
            "worker"
        )
    key = (tuple(sorted(limits.items())), require_sandbox)
    with _LOCK:
        if key not in _GRADERS:
            _GRADERS[key] = Grader(
                Limits(**limits), require_sandbox=require_sandbox, quiet=True
            )
        grader = _GRADERS[key]
        if check_environment and (key, chapter) not in _CHECKED:
            grader.check_environment([chapter])
            _CHECKED.add((key, chapter))
    out: list[tuple[int, object]] = []
    with tempfile.TemporaryDirectory(prefix="vae-course-batch-") as tmp:
        paths = []
        for index, (_, data) in enumerate(items):
            path = Path(tmp) / f"{index}.ipynb"
            path.write_bytes(data)
            paths.append(path)

        def collect(path: Path, result) -> None:
            index = paths.index(path)
            if isinstance(result, Exception):
                result = str(result).replace(str(path), items[index][0])
            out.append((index, result))

        grader.grade_batch(chapter, paths, collect)
    return out


# --------------------------------------------------------- on the instructor's machine


class DaskRunner:
    """Sends batches to a Dask cluster; results come back to ``on_result``."""

    def __init__(
        self,
        scheduler: str | None,
        local_workers: int | None,
        limits: Limits,
        require_sandbox: bool,
        check_environment: bool,
    ):
        from distributed import Client, LocalCluster

        self.cluster = None
        if local_workers:
            self.cluster = LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler, timeout=30)
        self.options = {
            "limits": dataclasses.asdict(limits),
            "require_sandbox": require_sandbox,
            "check_environment": check_environment,
            "environment": {
                k: os.environ[k] for k in PROFILE_VARIABLES if k in os.environ
            },
        }
        self.futures: list = []
        self.thread: threading.Thread | None = None

    def slots(self) -> int:
        """Batches that run at once: the workers' threads together."""
        return max(1, sum(self.client.nthreads().values()))

    def start(self, batches, on_result) -> None:
        from distributed import as_completed

        owner = {}
        digests: dict[Path, str] = {}
        for chapter, paths in batches:
            items = []
            for path in paths:
                try:
                    items.append((str(path), Path(path).read_bytes()))
                except OSError as error:
                    on_result(path, GradingError(f"{path}: {error}"))
            kept = [p for p in paths if any(n == str(p) for n, _ in items)]
            if not items:
                continue
            if chapter not in digests:
                digests[chapter] = course_digest(chapter)
            future = self.client.submit(
                grade_remote,
                Path(chapter).name,
                digests[chapter],
                items,
                pure=False,
                **self.options,
            )
            owner[future] = kept
            self.futures.append(future)

        def collect():
            for future in as_completed(list(owner)):
                paths = owner[future]
                try:
                    results = future.result()
                except Exception as error:  # noqa: BLE001  (the batch failed)
                    for path in paths:
                        on_result(
                            path,
                            GradingError(
                                f"{path}: a Dask worker could not grade it: "
                                f"{type(error).__name__}: {error}"
                            ),
                        )
                    continue
                for index, result in results:
                    path = paths[index]
                    if isinstance(result, str):
                        on_result(path, GradingError(result))
                    else:
                        on_result(path, dataclasses.replace(result, path=path))

        self.thread = threading.Thread(target=collect, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        for future in self.futures:
            future.cancel()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
