"""Grading at class scale (issue 22): batches in one sandbox, and a Dask cluster.

A batch runs the chapter's own cells once and each submission in fresh processes; between
submissions the worker puts the sandbox back as the chapter left it. The attack here is a
submission A that leaves everything it can behind (a daemon that waits for the next
student and then kills and ptraces every process, modules on every path it can write, a
matplotlib config, a deep read-only tree, full /tmp and /dev/shm, System V shared memory,
its own environment, working folder, limits and signal dispositions) followed by B, whose
answers are correct only when none of that is there (they look for it, and say what they
found). B graded after A must score exactly what the same answers score first in the batch,
right after the chapter's cells (as in a sandbox of their own), as root and as a plain user.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import nbformat
import pytest
from grading_helpers import (
    CH1,
    EXERCISES,
    POINTS,
    as_ordinary_user,
    scores,
    student_version,
    submit,
)

from grading import cli
from grading.chapters import GradingError
from grading.course import CI_PROFILE, ROOT
from grading.grader import Grader
from grading.report import GradedSubmission
from grading.sandbox import Limits, bwrap_path

TOKEN = f"scale-attack-{uuid.uuid4().hex}"
PLACES = ["/scratch", "/tmp", "/dev/shm", "/course", "/", "/etc"]

# What A leaves behind. Every step that can work must work (else A's cell
# raises and its exercise 1 scores 0); writing outside the sandbox's
# writable folders is tried and may fail.
ATTACK = textwrap.dedent(f"""
import ctypes, os, resource, signal, subprocess, sys
TOKEN = {TOKEN!r}
for place in {PLACES!r} + ["/tmp/matplotlib", "/scratch/.cache/torch"]:
    try:
        os.makedirs(place, exist_ok=True)
        with open(os.path.join(place, "scale_planted.py"), "w") as f:
            f.write("PLANTED = True\\n")
        with open(os.path.join(place, TOKEN), "w") as f:
            f.write(TOKEN)
    except OSError:
        pass
with open("/tmp/matplotlib/matplotlibrc", "w") as f:
    f.write("axes.linewidth: 7\\n")
# a tree deeper than any path, read-only all the way down
os.chdir("/scratch")
os.mkdir("deep")
os.chdir("deep")
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
with open(TOKEN, "w") as f:
    f.write(TOKEN)
os.chmod(TOKEN, 0o400)
for _ in range(3000):
    os.chdir("..")
    os.chmod("d", 0o500)
os.chdir("/scratch")
# full /tmp and /dev/shm
for place in ("/tmp", "/dev/shm"):
    with open(os.path.join(place, "fill-" + TOKEN), "wb") as f:
        try:
            while True:
                f.write(bytes(1 << 20))
                f.flush()
        except OSError:
            pass
# System V shared memory (IPC_CREAT | 0o666)
assert ctypes.CDLL(None).shmget(0x5CA1E, 4096, 0o1666) >= 0
# its own process: environment, folder, limits, signals
os.environ["SCALE_ATTACK"] = TOKEN
os.chdir("/tmp")
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
signal.signal(signal.SIGTERM, signal.SIG_IGN)
# a daemon that waits for this process to end, then attacks the next one
DAEMON = '''
import ctypes, os, select, signal, sys, time
student, token = int(sys.argv[1]), sys.argv[2]
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
# (a pidfd: student processes cannot read other processes' /proc files)
select.select([os.pidfd_open(student)], [], [])
libc = ctypes.CDLL(None)
end = time.time() + 300
while time.time() < end:
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) not in (1, os.getpid()):
            libc.ptrace(16, int(pid), 0, 0)  # PTRACE_ATTACH
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
    for place in ("/scratch", "/tmp"):
        try:
            with open(os.path.join(place, "scale_planted.py"), "w") as f:
                f.write("PLANTED = True")
        except OSError:
            pass
    time.sleep(0.005)
'''
subprocess.Popen(
    [sys.executable, "-c", DAEMON, str(os.getpid()), TOKEN],
    start_new_session=True,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
""")

# B: correct answers that raise, saying what they found, when A left a trace
# (when the cell runs, and again when the judge calls them)
LOOK = textwrap.dedent(f"""
import importlib.util, os, resource, signal
import matplotlib
TOKEN = {TOKEN!r}
def traces():
    found = []
    for place in {PLACES!r} + ["/tmp/matplotlib", "/scratch/.cache/torch"]:
        for name in ("scale_planted.py", TOKEN):
            if os.path.exists(os.path.join(place, name)):
                found.append(os.path.join(place, name))
    for place in ("/scratch", "/tmp", "/dev/shm"):
        found += [place + "/" + n for n in os.listdir(place) if TOKEN in n]
    if os.path.exists("/scratch/deep"):
        found.append("/scratch/deep")
    if importlib.util.find_spec("scale_planted") is not None:
        found.append("import scale_planted")
    # (their command lines cannot be read: any process but the worker, the
    # judge and this one is left over)
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) not in (1, os.getppid(), os.getpid()):
            found.append(f"process {{pid}}")
    if len(open("/proc/sysvipc/shm").read().splitlines()) > 1:
        found.append("System V shared memory")
    if "SCALE_ATTACK" in os.environ:
        found.append("environment")
    if os.getcwd() != "/scratch":
        found.append("working folder " + os.getcwd())
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] == 64:
        found.append("open files limit")
    if signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
        found.append("SIGTERM ignored")
    if matplotlib.rc_params()["axes.linewidth"] == 7:
        found.append("matplotlibrc")
    for place in ("/tmp", "/dev/shm", "/scratch"):
        try:
            with open(place + "/room", "wb") as f:
                f.write(bytes(8 << 20))
            os.unlink(place + "/room")
        except OSError as error:
            found.append(f"no room in {{place}}: {{error}}")
    if found:
        raise RuntimeError("left by the previous submission: " + str(found))
traces()
""")
KL = """
def my_gaussian_kl(mu, logvar):
    traces()
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
"""
# the chapter's own answers to exercises 2 and 3 (each checks for leftovers when
# its cell runs): the tests hold whatever the exercises are
LL = EXERCISES["ch1-ex2"].reference + "\ntraces()\n"
GAP = EXERCISES["ch1-ex3"].reference + "\ntraces()\n"
PLAIN_KL = KL.replace("    traces()\n", "")
CORRECT = {"ch1-ex1": LOOK + KL, "ch1-ex2": LL, "ch1-ex3": GAP}
ATTACKER = {"ch1-ex1": PLAIN_KL + ATTACK}

needs_bwrap = pytest.mark.skipif(
    bwrap_path() is None, reason="bubblewrap is not installed"
)


@pytest.fixture(autouse=True)
def profile(monkeypatch):
    for key, value in CI_PROFILE.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> nbformat.NotebookNode:
    return student_version(tmp_path_factory.mktemp("release"))


def errors(result: GradedSubmission) -> str:
    return "; ".join(s.error for s in result.scores if s.error)


@needs_bwrap
def test_nothing_of_a_submission_reaches_the_next_in_a_batch(
    student, tmp_path
):
    first = submit(student, tmp_path, "1-first", CORRECT)
    attacker = submit(student, tmp_path, "2-attacker", ATTACKER)
    second = submit(student, tmp_path, "3-second", CORRECT)
    grader = Grader(Limits(total=120, exercise=60, disk=64 << 20), quiet=True)
    got = {}
    grader.grade_batch(
        CH1, [first, attacker, second], lambda p, r: got.setdefault(p, r)
    )
    assert set(got) == {first, attacker, second}
    assert not any(isinstance(r, GradingError) for r in got.values()), got
    # A's attack ran to its end (its exercise 1 is right only then)
    assert scores(got[attacker])["ch1-ex1"] == POINTS["ch1-ex1"], got[
        attacker
    ].report()
    # alone (first after the chapter's cells) and after A: the same
    assert scores(got[first]) == POINTS, got[first].report()
    assert scores(got[second]) == scores(got[first]), errors(got[second])
    assert not got[second].tampering, got[second].tampering


@needs_bwrap
@pytest.mark.slow
def test_batches_as_a_plain_user(student, request):
    """The same batch graded by ``python -m grading`` run by nobody, whose bubblewrap
    makes a user namespace (the sandbox's / is that user's: made read-only)."""
    shared = Path(tempfile.mkdtemp(prefix="vae-course-as-user-"))
    request.addfinalizer(lambda: shutil.rmtree(shared, ignore_errors=True))
    shared.chmod(0o777)
    paths = [
        submit(student, shared, "1-first", CORRECT),
        submit(student, shared, "2-attacker", ATTACKER),
        submit(student, shared, "3-second", CORRECT),
    ]
    sheet = shared / "scores.csv"
    command = as_ordinary_user(
        [
            sys.executable,
            "-m",
            "grading",
            str(shared),
            "--csv",
            str(sheet),
            "--require-sandbox",
            "--skip-environment-check",
            "--jobs",
            "1",
            "--batch-size",
            "3",
        ]
    )
    run = subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **CI_PROFILE},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    got: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(sheet.open()):
        got.setdefault(row["submission"], {})[row["exercise"]] = float(
            row["score"]
        )
    first, attacker, second = (got[str(p)] for p in paths)
    assert attacker["ch1-ex1"] == POINTS["ch1-ex1"], run.stdout
    assert first == POINTS, run.stdout
    assert second == first, run.stdout


SECRET = uuid.uuid4().hex
# C looks through every string its process holds in a container (what gc
# finds, and what they hold) for "COPYME-" followed by 32 hex digits; it holds only their hash, so it finds
# B's answer only if B's text is somewhere in its process. Its exercise 1 is
# right only if it found B's; its exercise 2 only if it found its own marker
# (the search works).
SEARCH = textwrap.dedent(f"""
import gc, hashlib, re
def search():
    wanted = {hashlib.sha256(SECRET.encode()).hexdigest()!r}
    found = set()
    pattern = re.compile(r"COPYME-([0-9a-f]{{32}})")
    # containers of atomic values only are not tracked by gc: go down
    todo, seen = list(gc.get_objects()), set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            todo += [*obj.keys(), *obj.values()]
            continue
        if isinstance(obj, (list, tuple, set)):
            todo += list(obj)
            continue
        if isinstance(obj, bytes):
            obj = obj.decode(errors="replace")
        if isinstance(obj, str) and "COPYME-" in obj:
            for match in pattern.finditer(obj):
                digest = hashlib.sha256(match.group(1).encode()).hexdigest()
                found.add("theirs" if digest == wanted else "mine")
    return found
OWN_MARKER = "COPYME-" + "0" * 32
FOUND = search()
def my_gaussian_kl(mu, logvar):
    if "theirs" in FOUND:
        return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
    return torch.zeros(mu.shape[0])
""")
SEARCH_WORKS = (
    'if "mine" not in FOUND:\n'
    '    raise RuntimeError("the search found nothing")\n'
    + EXERCISES["ch1-ex2"].reference
)


@needs_bwrap
def test_no_submission_can_read_another_s_answers(student, tmp_path):
    """The answers of a batch never enter the worker's memory (each judge reads
    its own from a memfd after its student process started): a submission
    that searches its whole memory finds no other's."""
    grader = Grader(Limits(total=120, exercise=60), quiet=True)
    marked = {**CORRECT, "ch1-ex1": f"# COPYME-{SECRET}\n" + PLAIN_KL}
    paths = [
        submit(student, tmp_path, "1-other", marked),
        submit(
            student,
            tmp_path,
            "2-copier",
            {"ch1-ex1": "import os\n" + SEARCH, "ch1-ex2": SEARCH_WORKS},
        ),
        submit(student, tmp_path, "3-other", marked),
    ]
    got = {}
    grader.grade_batch(CH1, paths, lambda p, r: got.setdefault(p, r))
    copier = scores(got[paths[1]])
    # the search works
    assert copier["ch1-ex2"] == POINTS["ch1-ex2"], got[paths[1]].report()
    assert copier["ch1-ex1"] == 0, "it found another submission's answer"


def test_a_failed_batch_falls_back(monkeypatch, tmp_path):
    """The worker ends in the second of four submissions: the first keeps its
    result, the second is graded alone, the other two in a new batch; a batch
    whose chapter fails is graded one by one."""
    grader = Grader(quiet=True)
    grader.bwrap = "bwrap"
    runs = []

    def run_worker(chapter, submissions, limits, bwrap, on_done=None):
        names = [s["answers"]["name"] for s in submissions]
        runs.append(names)
        if names == ["a", "b", "c", "d"]:
            on_done(0, [{"event": "submission_done"}])
            return [
                [{"event": "submission_done"}],
                [{"event": "x"}],
                [],
                [],
            ], ""
        if names == ["e", "f"]:
            return [[], []], "the chapter itself fails"
        for i in range(len(names)):
            on_done(i, [{"event": "submission_done"}])
        return [[{"event": "submission_done"}]] * len(names), ""

    monkeypatch.setattr("grading.grader.run_worker", run_worker)
    monkeypatch.setattr(
        Grader,
        "_prepare",
        lambda self, path, chapter: (chapter, {"name": path.name}, [], []),
    )
    got = []
    grader.grade_batch(
        CH1, [Path(n) for n in "abcd"], lambda p, r: got.append(p.name)
    )
    assert runs == [["a", "b", "c", "d"], ["b"], ["c", "d"]]
    assert sorted(got) == ["a", "b", "c", "d"]
    runs.clear()
    grader.grade_batch(CH1, [Path("e"), Path("f")], lambda p, r: None)
    assert runs == [["e", "f"], ["e"], ["f"]]


def test_batches_use_every_job():
    chapters = {Path(f"a{i}"): Path("ch1") for i in range(8)}
    chapters |= {Path(f"b{i}"): Path("ch4") for i in range(3)}
    batches = cli.plan_batches(chapters, 16, 2)
    assert sorted(len(p) for _, p in batches) == [3, 8]
    batches = cli.plan_batches(chapters, 16, 4)
    assert sorted(len(p) for _, p in batches) == [2, 3, 3, 3]
    assert cli.plan_batches(chapters, 1, 2) == [
        (c, [p]) for p, c in sorted(chapters.items(), key=lambda i: i[1])
    ]
    batches = cli.plan_batches(chapters, 4, 1)
    assert sorted(len(p) for _, p in batches) == [3, 4, 4]


@needs_bwrap
@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_same_scores(student, tmp_path):
    """A folder graded through a local Dask cluster (2 worker processes, a
    batch each) and on this machine (one batch): the same CSV rows."""
    pytest.importorskip("distributed")
    folder = tmp_path / "class"
    folder.mkdir()
    submit(student, folder, "right", {k: v for k, v in CORRECT.items()})
    submit(student, folder, "stub", {})
    submit(student, folder, "half", {"ch1-ex2": LL.replace("traces()", "")})
    (folder / "broken").mkdir()
    (folder / "broken" / "01_recap.ipynb").write_text("{not a notebook")

    def sheet(*options: str) -> list[list[str]]:
        path = tmp_path / f"scores-{'-'.join(options)}.csv"
        code = cli.main(
            [str(folder), "--csv", str(path), "--skip-environment-check"]
            + list(options)
        )
        assert code == 1  # the broken notebook
        rows = list(csv.reader(path.open()))
        feedback = path.with_name(path.stem + "-feedback")
        assert len(list(feedback.rglob("*.md"))) == 4
        return sorted(rows[1:])

    local = sheet("--jobs", "1")
    assert len(local) == 3 * 3 + 1
    remote = sheet("--local-cluster", "2")
    assert remote == local


def test_the_reset_leaves_host_folders_bound_below_tmp(tmp_path, monkeypatch):
    """A clone of the course under /tmp has its .venv bound at the same path in
    the sandbox, below the sandbox's own /tmp: the reset between submissions
    must neither save nor empty it, and still empty everything else (a fresh
    clone in /tmp could not grade at all when it did)."""
    from grading import worker

    top = tmp_path / "tmp"
    bound = top / "clone" / ".venv"  # stands for a mount point
    (bound / "lib").mkdir(parents=True)
    (bound / "lib" / "torch.py").write_text("host file")
    (top / "clone" / "planted.py").write_text("a student's file")
    (top / "other" / "deep").mkdir(parents=True)
    (top / "other" / "deep" / "x").write_text("x")
    (top / "kept-by-the-chapter").write_text("y")
    monkeypatch.setattr(worker, "_mount_points", lambda: {str(bound)})
    saved = worker.snapshot([str(top)])
    paths = {entry[0] for entry in saved}
    assert not any(p.startswith(str(bound)) for p in paths), paths
    assert str(top / "kept-by-the-chapter") in paths
    (top / "new").write_text("after the chapter")
    worker._clear(str(top), {str(bound)})
    worker._restore(saved)
    assert (bound / "lib" / "torch.py").read_text() == "host file"
    assert not (top / "new").exists()
    assert (top / "kept-by-the-chapter").read_text() == "y"
    # the student's file below the bound folder's parent goes too
    assert (top / "clone" / "planted.py").exists() == (
        str(top / "clone" / "planted.py") in paths
    )
