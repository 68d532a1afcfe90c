"""No host path reaches student code in the sandbox (issue 19).

A submission collects everything it can about where things are: sys.executable,
sys.path, sys.prefix, the files of its modules, its environment,
/proc/self/mountinfo, /proc/1/cmdline, /proc/1/environ, /proc/self/maps, the
link /proc/self/exe, the site-packages folders' listing and the files there that
an editable install leaves (*.pth, the finder module, direct_url.json). Exercise
1 is right only if none of it names a host folder (the repository, the Python
environment, the interpreter's prefix, the data folder, $HOME) and, where the
kernel has Landlock, only if no /proc file that names paths could be read; else
its message says what got through. Graded as root and as an ordinary user.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from grading_helpers import CH1, grade_as_ordinary_user, scores, submit
from test_grading_attacks import ANSWER2, ANSWER3, marks

from grading import landlock
from grading.course import CI_PROFILE, ROOT
from grading.grader import Grader
from grading.sandbox import Limits, _data_folder, bwrap_path, python_layout

needs_bwrap = pytest.mark.skipif(
    bwrap_path() is None, reason="bubblewrap is not installed"
)


def host_folders() -> list[str]:
    """The host folders that student code must not learn about."""
    folders = {
        ROOT,
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.executable).parent,
        Path.home(),
    }
    folders |= {Path(os.path.realpath(p)) for p in folders}
    # the checkout that holds the environment (an editable install names it)
    checkout = Path(os.path.realpath(sys.prefix)).parent
    if (checkout / "pyproject.toml").exists():
        folders.add(checkout)
    data = _data_folder()
    if data:
        folders |= {Path(data), Path(os.path.realpath(data))}
    # (a system Python's /usr says nothing about this machine)
    return sorted(
        str(f)
        for f in folders
        if f.parts[1:2] not in [(), ("usr",), ("bin",), ("lib",)]
    )


# the answer to exercise 1: FOLDERS and LANDLOCK are filled in by the test
COLLECT = r"""
import glob, json, os, re, sys

_PROC = ["/proc/self/mountinfo", "/proc/1/mountinfo", "/proc/1/cmdline",
         "/proc/1/environ", "/proc/self/maps", "/proc/self/cmdline",
         "/proc/self/environ", "/proc/self/mounts"]

def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(1 << 20).decode(errors="replace")
    except OSError as error:
        return None

def _collect():
    seen = {
        "sys.executable": sys.executable,
        "sys.path": sys.path,
        "sys.prefix": [sys.prefix, sys.base_prefix, sys.exec_prefix,
                       getattr(sys, "_base_executable", "")],
        "modules": sorted({str(getattr(m, "__file__", None))
                           for m in list(sys.modules.values())}),
        "os.environ": dict(os.environ),
        "cwd": os.getcwd(),
    }
    for path in _PROC:
        seen[path] = _read(path)
    try:
        seen["/proc/self/exe"] = os.readlink("/proc/self/exe")
    except OSError:
        pass
    for site in sys.path:
        if not site.endswith("-packages") or not os.path.isdir(site):
            continue
        names = sorted(os.listdir(site))
        seen["listing " + site] = names
        files = [os.path.join(site, n) for n in names
                 if n.endswith((".pth", ".egg-link")) or "__editable__" in n]
        files += glob.glob(site + "/*.dist-info/direct_url.json")
        files += glob.glob(site + "/__pycache__/__editable__*")
        for path in files:
            seen[path] = _read(path)
    return seen

def _found(seen):
    host = re.compile("|".join(
        re.escape(f) + r"(?![\w.-])" for f in FOLDERS))
    found = [key for key, value in seen.items()
             if host.search(json.dumps(value))]
    if LANDLOCK:
        found += ["read " + p for p in _PROC if seen[p] is not None]
    else:  # the mount tables name the binds' host folders: see the
        # instructors' page, "Without Landlock"
        found = [key for key in found if "mount" not in key]
    if not any(key.startswith("listing ") and seen[key]
               for key in seen):
        found.append("no site-packages listed: the probe saw nothing")
    return found

_SEEN = _collect()
_FOUND = _found(_SEEN)

def my_gaussian_kl(mu, logvar):
    if _FOUND:
        raise RuntimeError(f"host paths in {_FOUND}")
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
"""


def collecting_answer() -> str:
    expect_landlock = landlock.abi() > 0
    return (
        f"FOLDERS = {host_folders()!r}\nLANDLOCK = {expect_landlock!r}\n"
        + (COLLECT)
    )


@pytest.fixture(autouse=True)
def profile(monkeypatch):
    for key, value in CI_PROFILE.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    import nbformat

    from grading import assignments as ma

    (path,) = ma.make_release([CH1], tmp_path_factory.mktemp("release"))
    return nbformat.read(path, as_version=4)


def test_the_probe_sees_host_paths_outside_the_sandbox():
    """The same answer run here, on the host, finds the host's paths (so its
    full marks in the sandbox mean something)."""
    namespace = {"torch": torch}
    exec(collecting_answer(), namespace)  # noqa: S102
    found = namespace["_FOUND"]
    assert "sys.executable" in found and "sys.path" in found, found
    assert any(key.startswith("listing ") for key in namespace["_SEEN"])
    if landlock.abi() > 0:
        assert "read /proc/self/mountinfo" in found, found


def test_the_layout_hides_what_names_the_checkout():
    """The editable install's files are among the hidden ones, the interpreter
    and site-packages are at /python and /venv (or system folders)."""
    layout = python_layout()
    for _, inside in layout.binds:
        assert inside.startswith(("/python", "/venv")), layout
    assert not any(f in layout.executable for f in host_folders()), layout
    site = Path(sys.prefix)
    editable = list(site.glob("lib/python*/site-packages/__editable__*"))
    if sys.prefix != sys.base_prefix and editable:
        names = {Path(p).name for p in layout.hidden}
        assert {p.name for p in editable} <= names, layout.hidden


@needs_bwrap
@pytest.mark.slow
def test_no_host_path_reaches_student_code(student, tmp_path):
    path = submit(
        student,
        tmp_path,
        "collector",
        {
            "ch1-ex1": collecting_answer(),
            "ch1-ex2": ANSWER2,
            "ch1-ex3": ANSWER3,
        },
    )
    grader = Grader(Limits(total=90, exercise=30), quiet=True)
    result = grader.grade_notebook(path, CH1)
    assert scores(result) == marks(), result.report()
    assert not result.tampering, result.report()


@needs_bwrap
@pytest.mark.slow
def test_no_host_path_reaches_student_code_as_an_ordinary_user(student):
    """The same, with the grader run by nobody (bwrap then makes a user
    namespace, and the Python is bound from wherever nobody sees it)."""
    run, got = grade_as_ordinary_user(
        student,
        "collector",
        {
            "ch1-ex1": collecting_answer(),
            "ch1-ex2": ANSWER2,
            "ch1-ex3": ANSWER3,
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert got == marks(), run.stdout


CONFINED = r"""
import os, subprocess, sys
from grading import landlock
readable = {path: landlock.READ for path in FOLDERS}
readable["/proc/cpuinfo"] = landlock.READ_FILE
assert landlock.restrict(readable) > 0
def opens(path):
    try:
        open(path, "rb").close()
        return True
    except PermissionError:
        return False
assert not opens("/proc/self/mountinfo") and not opens("/proc/1/cmdline")
assert opens("/proc/cpuinfo") and opens(landlock.__file__)
child = subprocess.run(
    [sys.executable, "-c", "open('/proc/self/mountinfo')"],
    capture_output=True, text=True)
assert "PermissionError" in child.stderr, child.stderr
print("confined")
"""


@pytest.mark.skipif(landlock.abi() == 0, reason="the kernel has no Landlock")
def test_landlock_confines_a_process_and_what_it_starts():
    """What the student process does (grading/student.py confine), on its
    own: /proc's mount table and other processes' files cannot be opened, by
    it or by a process it starts; what the rules allow still can."""
    folders = sorted(
        {str(ROOT), sys.prefix, sys.base_prefix, "/usr", "/lib", "/lib64"}
        | {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    )
    run = subprocess.run(
        [sys.executable, "-c", f"FOLDERS = {folders!r}\n" + CONFINED],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.stdout.strip() == "confined", run.stdout + run.stderr


def test_without_landlock_nothing_is_confined(monkeypatch):
    monkeypatch.setattr(landlock, "abi", lambda: 0)
    assert landlock.restrict({"/usr": landlock.READ}) == 0
    assert Path("/proc/self/mountinfo").read_text()
