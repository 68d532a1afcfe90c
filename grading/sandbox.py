"""The sandbox: how the grading worker is started, isolated and limited, and read.

Each submission runs in a bubblewrap sandbox (Debian package ``bubblewrap``): its own
scratch folder is the only place it can write, the course, the solutions, the other
submissions and the scores are not visible in it, there is no network, and every process in
it ends with it. Without bwrap the grader still keeps student code away from the checks, but
not from the file system; it says so loudly, and ``--require-sandbox`` makes that an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import platform
import re
import secrets
import selectors
import shutil
import site as site_module
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grading import landlock
from grading.chapters import Chapter, part_references
from grading.limits import Budget, memory_budget

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(__file__).resolve().parent  # grading/
DEFAULT_TIME_LIMIT = 300  # seconds per submission, all exercises together
DEFAULT_EXERCISE_TIME = 120  # seconds per exercise
DEFAULT_MEMORY = 8 << 30  # bytes of address space for each grading process
DEFAULT_PROCESSES = 64  # processes (threads count) a submission may start
DEFAULT_DISK = (
    256 << 20
)  # bytes of each in-memory folder: /scratch, /tmp, /dev/shm
PREFIX_TIME = 3600  # seconds for the chapter's own cells before the exercises
SLACK = 60  # seconds the host waits beyond the worker's own limits
OUTPUT_LIMIT = 16 << 20  # bytes of events a submission may produce
LOG_LIMIT = 4000  # bytes of the worker's own log kept (its last lines)
SANDBOX_USER = 65534  # nobody: the sandbox's user on the host when root grades
NO_SANDBOX_WARNING = """\
WARNING: bubblewrap (bwrap) is not available: submissions are NOT isolated from the file
system. Student code runs as you, can read and change your files, and can leave processes
running. Scores still come only from the checks (student code runs in its own process), but
grade strangers' work only with the sandbox: install it with `apt-get install bubblewrap`."""

_CACHES = shutil.ignore_patterns("__pycache__")


@dataclass
class Limits:
    """What one submission may use; each must be more than 0 (there is no 'no limit')."""

    total: float = DEFAULT_TIME_LIMIT  # seconds, all exercises together
    exercise: float = DEFAULT_EXERCISE_TIME  # seconds per exercise
    memory: int = DEFAULT_MEMORY  # bytes of address space per process
    processes: int = DEFAULT_PROCESSES
    disk: int = DEFAULT_DISK  # bytes of each writable in-memory folder

    def __post_init__(self):
        for name in ("total", "exercise", "memory", "processes", "disk"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(
                    f"Limits.{name} must be a number more than 0, got {value!r}"
                )


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


# where the sandbox shows the Python in use: its own paths, none of the host's
BASE = "/python"  # the interpreter's prefix, when it is not a system folder
VENV = "/venv"  # the virtual environment: its site-packages and a pyvenv.cfg
SYSTEM = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin")


@dataclass(frozen=True)
class PythonLayout:
    """The Python in use as the sandbox shows it (see ``python_layout``)."""

    executable: str  # the interpreter, inside
    bin: str  # the folder on PATH, inside
    binds: tuple[tuple[str, str], ...]  # (host folder, inside), read-only
    links: tuple[tuple[str, str], ...]  # (target, link), made inside
    pyvenv: str  # the text of VENV/pyvenv.cfg ("" when there is no venv)
    hidden: tuple[str, ...]  # files inside that name host folders: empty
    library_path: str  # LD_LIBRARY_PATH for a shared libpython ("" if none)


def _system(path: Path) -> bool:
    """Whether the sandbox binds ``path`` at its own path (a system folder)."""
    return any(path == Path(s) or Path(s) in path.parents for s in SYSTEM)


def _below(path: Path, folder: Path) -> Path | None:
    try:
        return path.relative_to(folder)
    except ValueError:
        return None


def _names_host(path: Path, markers: tuple[str, ...]) -> bool:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return True  # unreadable here: hidden rather than guessed at
    return any(marker in text for marker in markers)


def _hidden_files(site: Path, markers: tuple[str, ...]) -> list[Path]:
    """The files of a site-packages folder that name host folders.

    An editable install (``pip install -e``) leaves ``__editable__*.pth``, a
    finder module (and its bytecode) with the checkout's path, and
    ``direct_url.json`` with its URL; a legacy one an ``.egg-link``; any
    ``.pth`` may name a host folder. None of them is needed in the sandbox
    (the course is imported from /course).
    """
    found = [
        *site.glob("__editable__*"),
        *site.glob("__pycache__/__editable__*"),
        *site.glob("*.egg-link"),
        *site.glob("*.dist-info/direct_url.json"),
    ]
    found += [
        pth
        for pth in site.glob("*.pth")
        if pth not in found and _names_host(pth, markers)
    ]
    return sorted(p for p in found if p.is_file())


@functools.lru_cache(maxsize=1)
def python_layout() -> PythonLayout:
    """Where the sandbox shows the Python in use, and how it runs it.

    The base interpreter's prefix is bound at ``/python`` (a system Python,
    below ``/usr``, stays where it is). A virtual environment becomes one at
    ``/venv``: its site-packages bound there, a ``pyvenv.cfg`` that points at
    ``/python/bin``, and ``/venv/bin/python`` a link to the interpreter, so
    that ``sys.executable``, ``sys.prefix``, ``sys.path`` and every module's
    ``__file__`` name these folders, and any Python a student starts sees the
    same. Files of site-packages that name host folders are hidden (empty).
    A shared libpython is found through ``LD_LIBRARY_PATH``.
    """
    base = Path(os.path.realpath(sys.base_prefix))
    base_in = base if _system(base) else Path(BASE)
    binds = [] if base_in == base else [(str(base), BASE)]

    def inside(path: Path) -> Path | None:
        """``path`` (of the host) as the sandbox shows it, if it does."""
        rest = _below(path, base)
        if rest is not None:
            return base_in / rest
        return path if _system(path) else None

    executable = Path(
        os.path.realpath(
            getattr(sys, "_base_executable", "") or sys.executable
        )
    )
    executable_in = inside(executable)
    if executable_in is None:
        raise RuntimeError(
            f"the Python interpreter {executable} is not inside its prefix "
            f"{base}: the sandbox cannot show it (use a Python installed in "
            "one folder, or a virtual environment made from one)"
        )
    home = Path.home()
    markers = tuple(
        str(p)
        for p in {
            ROOT,
            Path(os.path.realpath(sys.prefix)),
            base,
            home,
        }
        if p != Path("/") and not _system(p)
    )
    hidden: list[str] = []
    links: list[tuple[str, str]] = []
    pyvenv, system_site = "", "false"
    if sys.prefix != sys.base_prefix:  # a virtual environment
        prefix = Path(os.path.realpath(sys.prefix))
        sites = {
            Path(os.path.realpath(sysconfig.get_path(kind)))
            for kind in ("purelib", "platlib")
        }
        for site in sorted(sites):
            rest = _below(site, prefix)
            if rest is None:
                raise RuntimeError(
                    f"the virtual environment's site-packages {site} is not "
                    f"inside it ({prefix}): the sandbox cannot show it"
                )
            binds.append((str(site), f"{VENV}/{rest}"))
            hidden += [
                f"{VENV}/{rest}/{f.relative_to(site)}"
                for f in _hidden_files(site, markers)
            ]
        with contextlib.suppress(OSError):
            for line in (prefix / "pyvenv.cfg").read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "include-system-site-packages":
                    system_site = value.strip()
        pyvenv = (
            f"home = {executable_in.parent}\n"
            f"include-system-site-packages = {system_site}\n"
            f"version = {platform.python_version()}\n"
        )
        names = ("python", "python3", executable.name)
        links = [(str(executable_in), f"{VENV}/bin/{n}") for n in names]
        python, folder = f"{VENV}/bin/python", f"{VENV}/bin"
    else:
        python, folder = str(executable_in), str(executable_in.parent)
    # the base interpreter's site-packages too: bound with it, on the path of
    # a Python without a venv (and of one whose venv includes them)
    prefixes = [sys.prefix, sys.base_prefix]
    for site in sorted(set(site_module.getsitepackages(prefixes))):
        real = Path(os.path.realpath(site))
        site_in = inside(real)
        if site_in is not None and real.is_dir():
            hidden += [
                str(site_in / f.relative_to(real))
                for f in _hidden_files(real, markers)
            ]
    library_path = ""
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libdir = sysconfig.get_config_var("LIBDIR") or ""
        libdir_in = inside(Path(os.path.realpath(libdir))) if libdir else None
        if libdir_in is not None and not _system(libdir_in):
            library_path = str(libdir_in)
    return PythonLayout(
        executable=python,
        bin=folder,
        binds=tuple(binds),
        links=tuple(dict.fromkeys(links)),
        pyvenv=pyvenv,
        hidden=tuple(dict.fromkeys(hidden)),
        library_path=library_path,
    )


def _data_folder() -> str | None:
    """The MNIST folder the chapters read, when it exists (bound read-only)."""
    data = os.environ.get("VAE_COURSE_DATA")
    if not data:
        with contextlib.suppress(Exception):
            from vae_course.data import default_root

            data = str(default_root())
    return data if data and Path(data).is_dir() else None


def sandbox_env(
    data: str | None, layout: PythonLayout | None = None
) -> dict[str, str]:
    """The environment of the grading processes: the profile and nothing of the user's.

    With ``layout`` (in the sandbox): its Python's folders, and the student
    processes confined by Landlock (grading/landlock.py); without, the host's.
    """
    python_bin = layout.bin if layout else str(Path(sys.executable).parent)
    env = {
        "PATH": f"{python_bin}:/usr/bin:/bin",
        "PYTHONPATH": "/course",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONSAFEPATH": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": "",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "HOME": "/scratch",
        "USER": "student",
        "LOGNAME": "student",
    }
    for key in ("VAE_COURSE_PROFILE", "VAE_COURSE_OFFLINE", "CI"):
        if key in os.environ:
            env[key] = os.environ[key]
    if data:
        env["VAE_COURSE_DATA"] = "/data"
    if layout:
        env[landlock.CONFINE] = "1"
        if layout.library_path:
            env["LD_LIBRARY_PATH"] = layout.library_path
    return env


def as_root() -> bool:
    return os.geteuid() == 0


def sandbox_command(
    bwrap: str, limits: Limits
) -> tuple[list[str], dict[str, str], list[int]]:
    """The command that runs the worker in a bubblewrap sandbox, its environment,
    and the file descriptors it reads (the caller passes them, then closes them).

    Inside: a new PID, IPC, network, UTS and cgroup namespace; the worker is PID 1 (no
    bwrap process that a student could reach); ``/``, the system, Python (at
    ``/python`` and ``/venv``, see ``python_layout``) and the course (at
    ``/course``) read-only; ``/scratch``, ``/tmp`` and ``/dev/shm`` in-memory and
    ``limits.disk`` bytes each; a clean environment. Its user is never the host's root:
    run by root, bwrap (privileged) sets up the mounts and ``setpriv`` drops to ``nobody``
    with no capabilities before Python starts; run by anyone else, bwrap maps the
    sandbox's user 65534 to that user in a new user namespace, with no capabilities.
    """
    data = _data_folder()
    size = str(int(limits.disk))
    argv = [
        bwrap,
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--as-pid-1",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname",
        "sandbox",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/scratch",
    ]
    for system in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if Path(system).is_symlink():
            argv += ["--symlink", os.readlink(system), system]
        elif Path(system).exists():
            argv += ["--ro-bind", system, system]
    for name in ("ld.so.cache", "localtime", "nsswitch.conf"):
        if Path("/etc", name).exists():
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    # no host accounts: empty passwd and group files
    argv += ["--ro-bind", "/dev/null", "/etc/passwd"]
    argv += ["--ro-bind", "/dev/null", "/etc/group"]
    layout = python_layout()
    binds = list(layout.binds)
    if data:
        binds.append((data, "/data"))
    binds += [
        (str(ROOT / "vae_course"), "/course/vae_course"),
        (str(PACKAGE), "/course/grading"),
    ]
    made = set()

    def folders_above(target: str) -> list[str]:
        # the folders above a bind, readable by the sandbox's user (bwrap run
        # by root would make them for root alone)
        out = []
        for folder in reversed(Path(target).parents[:-1]):
            if str(folder) not in made:
                made.add(str(folder))
                out += ["--perms", "0755", "--dir", str(folder)]
        return out

    for source, target in binds:
        argv += [*folders_above(target), "--ro-bind", source, target]
    for target, link in layout.links:
        argv += [*folders_above(link), "--symlink", target, link]
    fds = []
    if layout.pyvenv:
        config = f"{VENV}/pyvenv.cfg"
        fds.append(os.memfd_create("pyvenv.cfg", 0))
        _write_all(fds[-1], layout.pyvenv.encode())
        os.lseek(fds[-1], 0, os.SEEK_SET)
        argv += folders_above(config)
        argv += ["--perms", "0644", "--ro-bind-data", str(fds[-1]), config]
    for path in layout.hidden:
        # an empty file (a device such as /dev/null cannot be opened there:
        # the binds are nodev); bwrap reads each descriptor to its end
        fds.append(os.open(os.devnull, os.O_RDONLY))
        argv += ["--perms", "0444", "--ro-bind-data", str(fds[-1]), path]
    # bwrap's own root (a tmpfs) is the sandbox user's when a plain user runs
    # bwrap: without this, /, /course and /etc would be writable, and what one
    # submission of a batch put there (a module on sys.path) the next would see
    argv += ["--remount-ro", "/"]
    argv += ["--chdir", "/scratch"]
    env = sandbox_env(data, layout)
    for key, value in env.items():
        argv += ["--setenv", key, value]
    python = [layout.executable, "-m", "grading.worker"]
    if as_root():
        # bwrap run by root makes no user namespace of its own: the worker drops
        # to nobody (uid and gid 65534), no groups, no capabilities, before Python
        argv += [
            "--",
            shutil.which("setpriv") or "/usr/bin/setpriv",
            f"--reuid={SANDBOX_USER}",
            f"--regid={SANDBOX_USER}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            *python,
        ]
    else:
        argv[1:1] = [
            "--unshare-user",
            "--uid",
            str(SANDBOX_USER),
            "--gid",
            str(SANDBOX_USER),
            "--disable-userns",
            "--cap-drop",
            "ALL",
        ]
        argv += ["--", *python]
    return argv, {"PATH": "/usr/bin:/bin"}, fds


def unsandboxed_command(scratch: Path) -> tuple[list[str], dict[str, str]]:
    """Without bwrap: the worker runs as you, on a copy of the course in ``scratch``."""
    course = scratch / "course"
    course.mkdir()
    shutil.copytree(ROOT / "vae_course", course / "vae_course", ignore=_CACHES)
    shutil.copytree(PACKAGE, course / "grading", ignore=_CACHES)
    env = {
        **sandbox_env(None),
        "PYTHONPATH": str(course),
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "MPLCONFIGDIR": str(scratch / "matplotlib"),
    }
    data = _data_folder()
    if data:
        env["VAE_COURSE_DATA"] = data
    return [sys.executable, "-m", "grading.worker"], env


def remove_tree(folder: Path) -> None:
    """Remove what a submission left in ``folder``, however deep or locked.

    (``shutil.rmtree`` recurses once per level: a tree 3,000 folders deep
    stops it with a RecursionError and stays on disk.)
    """
    if not folder.exists():
        return
    for command in (["chmod", "-R", "u+rwx"], ["rm", "-rf"]):
        with contextlib.suppress(OSError):
            subprocess.run(
                [*command, "--", str(folder)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
    shutil.rmtree(folder, ignore_errors=True)


def _processes_of(uid: int) -> int:
    count = 0
    for status in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if status.stat().st_uid == uid:
                count += len(list((status / "task").iterdir()))
    return count


# --------------------------------------------------------------------------- the host side

_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()
_STOPPED = threading.Event()  # set by stop_all(): no run starts after it


class Interrupted(Exception):
    """A run asked for after stop_all() (Ctrl-C): it does not start."""


def stop_all() -> None:
    """End every grading run of this process now, and start no other (Ctrl-C)."""
    with _RUNNING_LOCK:
        _STOPPED.set()
        for process in list(_RUNNING):
            # signals only: the thread reading the run sees its end and
            # cleans up (closing its pipes here left that thread waiting
            # on closed pipes until the chapter's own deadline, an hour)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, 9)
            with contextlib.suppress(ProcessLookupError):
                process.kill()


def sign(key: bytes, event: dict) -> str:
    """The judge's signature of an event (every field but "mac")."""
    body = json.dumps(
        {k: v for k, v in event.items() if k != "mac"}, sort_keys=True
    )
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def job_for(chapter: Chapter, submissions: list[dict], limits: Limits) -> dict:
    return {
        "prefix": chapter.prefix,
        "exercises": [
            {
                "grade_id": e.grade_id,
                "names": e.names,
                "time_limit": e.time_limit or limits.exercise,
            }
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
        "processes": limits.processes,
    }


def run_worker(
    chapter: Chapter,
    submissions: list[dict],
    limits: Limits,
    bwrap: str | None,
    on_done=None,
) -> tuple[list[dict], str]:
    """Run the worker on ``submissions`` (answers by exercise); return its events per submission.

    Each submission's events: start/result/abort/tampering/student_gone/internal (see
    grading/worker.py). The second value is a failure of the whole run ("" when none).

    The results come on the worker's standard output, which nothing in the sandbox
    but the worker (PID 1 there, not dumpable) holds, and each result carries the
    signature of the judge process with a key that only the judge reads, after its
    student process has started (a memfd the student process closes). Anything else
    on that channel (a line that is not a signed event, more than ``OUTPUT_LIMIT``
    bytes) is tampering. The clock runs here, outside: a stopped or stuck worker is
    killed at its deadline.

    Memory: every process of the run is in one cgroup limited to ``limits.memory``
    where one can be made (grading/limits.py), else each has that cap on its own.
    An exercise during which the kernel ended a process for memory says so.

    ``on_done(index, events)``, when given, is called as each submission is done
    (its ``submission_done`` event), so that a batch's results can be written as
    they come.
    """
    job = job_for(chapter, submissions, limits)
    key = secrets.token_bytes(32)
    key_fd = os.memfd_create("grading-key", 0)
    os.write(key_fd, key)
    job["key_fd"] = key_fd
    # the references of parts that later parts follow, for the judge only
    # (read, like the key, after its student process started without it)
    references_fd = os.memfd_create("grading-references", 0)
    _write_all(references_fd, json.dumps(part_references(chapter)).encode())
    job["references_fd"] = references_fd
    # each submission's answers in a memfd of its own, read by its judge only
    # after its student process started: never in the memory of the worker,
    # of which every judge and student process of a batch is a fork
    answer_fds = []
    for submission in job["submissions"]:
        answer_fds.append(os.memfd_create("grading-answers", 0))
        _write_all(answer_fds[-1], json.dumps(submission).encode())
    job["submissions"] = [{"fd": fd} for fd in answer_fds]
    if as_root() and bwrap:
        job["nproc"] = _processes_of(SANDBOX_USER) + limits.processes
    else:
        job["nproc"] = limits.processes if bwrap else 0
    with contextlib.ExitStack() as stack:
        budget = stack.enter_context(
            memory_budget(
                re.sub(r"[^A-Za-z0-9_-]", "", chapter.name)[:40],
                limits.memory,
                limits.processes,
            )
        )
        extra: list[int] = []
        if bwrap:
            argv, env, extra = sandbox_command(bwrap, limits)
            cwd = "/"
        else:
            if as_root():
                raise PermissionError(
                    "grading as root without bubblewrap would run student "
                    "code as root: install bubblewrap"
                )
            scratch = Path(tempfile.mkdtemp(prefix="vae-course-grade-"))
            stack.callback(remove_tree, scratch)
            argv, env = unsandboxed_command(scratch)
            cwd = str(scratch)
            _undumpable()  # our pipes cannot be reopened through /proc
        try:
            # (under the lock: a run that stop_all() cannot see yet must not
            # start after it)
            with _RUNNING_LOCK:
                if _STOPPED.is_set():
                    raise Interrupted("grading was interrupted")
                process = subprocess.Popen(
                    budget.wrap(argv),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                    cwd=cwd,
                    start_new_session=True,
                    pass_fds=(key_fd, references_fd, *answer_fds, *extra),
                )
                _RUNNING.add(process)
        finally:
            for fd in (key_fd, references_fd, *answer_fds, *extra):
                os.close(fd)
        try:
            return _read_worker(
                process, job, key, limits, len(submissions), budget, on_done
            )
        finally:
            _kill_group(process)
            with _RUNNING_LOCK:
                _RUNNING.discard(process)


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _read_worker(
    process, job, key, limits, count, budget: Budget, on_done=None
):
    events: list[list[dict]] = [[] for _ in range(count)]
    failure = ""
    with contextlib.suppress(BrokenPipeError):
        process.stdin.write((json.dumps(job) + "\n").encode())
        process.stdin.close()
    selector = selectors.DefaultSelector()
    for stream in (process.stdout, process.stderr):
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ)
    pending, log = [], b""  # the line so far; the log's last bytes
    current, used = None, 0
    kills, exercise = budget.oom_kills(), None  # at the exercise's start
    deadline = time.monotonic() + PREFIX_TIME + SLACK
    open_streams = 2

    told = set()  # (submission, message): a flood of bad lines is one

    def tamper(message):
        if current is not None and (current, message) not in told:
            told.add((current, message))
            events[current].append({"event": "tampering", "message": message})

    while open_streams:
        left = deadline - time.monotonic()
        if left <= 0:
            if current is None:
                failure = "the chapter's own cells did not finish in time"
            else:
                events[current].append(
                    {
                        "event": "abort",
                        "reason": "total_timeout",
                        "grade_id": None,
                    }
                )
            break
        for item, _ in selector.select(min(left, 5)):
            chunk = os.read(item.fileobj.fileno(), 1 << 16)
            if not chunk:
                selector.unregister(item.fileobj)
                open_streams -= 1
                continue
            if item.fileobj is process.stderr:
                log = (log + chunk)[-LOG_LIMIT:]
                continue
            used += len(chunk)
            if used > OUTPUT_LIMIT:
                tamper(f"more than {OUTPUT_LIMIT} bytes on the result channel")
                open_streams = 0
                break
            # each byte looked at once, however the lines come
            *lines, rest = chunk.split(b"\n")
            if lines:
                lines[0] = b"".join(pending) + lines[0]
                pending = []
            pending.append(rest)
            for line in lines:
                try:
                    event = json.loads(line)
                    kind = event["event"]
                except (ValueError, KeyError, TypeError):
                    tamper("a line on the result channel that is not an event")
                    continue
                if kind == "prefix_failed":
                    failure = (
                        "the chapter itself fails before its exercises: "
                        f"{str(event.get('message'))[:2000]}"
                    )
                elif kind == "submission":
                    current, used = int(event["index"]), 0
                    kills, exercise = budget.oom_kills(), None
                    deadline = time.monotonic() + limits.total + SLACK
                elif current is None:
                    failure = failure or "an event before any submission"
                elif kind in SIGNED and (
                    event.get("index") != current
                    or not hmac.compare_digest(
                        str(event.get("mac", "")), sign(key, event)
                    )
                ):
                    tamper(f"a {kind!r} event without the judge's signature")
                else:
                    arrived = [event]
                    if kind == "start":
                        kills = budget.oom_kills()
                        exercise = event.get("grade_id")
                    elif _lost(event) and budget.oom_kills() > kills:
                        kills = budget.oom_kills()
                        arrived = _out_of_memory(event, budget, exercise)
                    events[current] += arrived
                    if kind == "submission_done":
                        deadline = time.monotonic() + SLACK
                        if on_done is not None:
                            on_done(current, events[current])
    process.kill()
    process.wait()
    done = current is not None and any(
        e["event"] == "submission_done" for e in events[current]
    )
    if current is not None and not done and budget.oom_kills() > kills:
        # the kernel ended the worker itself: the run ended with it
        events[current] += _out_of_memory(
            {"event": "abort", "reason": "killed", "grade_id": exercise},
            budget,
            exercise,
        ) + [{"event": "submission_done", "index": current}]
    elif current is None and budget.oom_kills() > kills:
        failure = f"the chapter's own cells ran {budget.out_of_memory()}"
    if not failure and current is None and process.returncode not in (0, -9):
        text = log.decode(errors="replace").strip()[-500:]
        failure = f"the grading worker ended with status {process.returncode}: {text}"
    return events, failure


def _lost(event: dict) -> bool:
    """An event that may say the submission lost something (to memory, here)."""
    kind, reason = event["event"], str(event.get("reason"))
    return (
        kind == "student_gone"
        or (kind == "result" and not event.get("passed"))
        or (kind == "abort" and reason.startswith(("crashed", "judge ended")))
    )


def _out_of_memory(event: dict, budget: Budget, exercise) -> list[dict]:
    """``event`` as the events that say the kernel ended a process for memory."""
    why = budget.out_of_memory()
    if event["event"] == "result":
        message = str(event.get("message") or "the checks failed")
        return [{**event, "message": f"{why}; then {message}"}]
    if event["event"] == "student_gone":
        return [{**event, "message": why}]
    if event.get("reason") == "crashed":
        return [event]  # its student_gone event says why
    # the judge or the worker ended: the student's doing, not tampering
    return [
        {"event": "student_gone", "grade_id": exercise, "message": why},
        {**event, "reason": "crashed", "grade_id": exercise},
    ]


# events that only the judge process writes, each signed with the run's key
SIGNED = {
    "start",
    "result",
    "finished",
    "tampering",
    "student_gone",
    "internal",
}


def _undumpable() -> None:
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)


def _kill_group(process: subprocess.Popen) -> None:
    """End the run: bwrap's sandbox (its PID namespace) ends with it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, 9)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.close()
