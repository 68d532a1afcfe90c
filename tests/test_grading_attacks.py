"""Submissions written to cheat or to do harm (issue 12): each attack fails.

Every submission here is the student version of chapter 1 (or 2) with crafted answer cells,
graded by ``python -m grading`` as an instructor would. Several attacks share a submission where
they cannot interfere, so that the file runs a handful of short chapters, not thirty.
An attack that needs to tell whether it got through does so through its score: e.g. the
answer is correct only if reading the solutions worked, so a score of 0 shows it did not.
"""

from __future__ import annotations

import os
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
    cgroups_of,
    grade_as_ordinary_user,
    scores,
    student_version,
    submit,
)

import grading.grader
import grading.sandbox
from grading.course import CI_PROFILE, ROOT
from grading.grader import EnvironmentProblem, Grader
from grading.sandbox import Limits, bwrap_path

KL = """
def my_gaussian_kl(mu, logvar):
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
"""
# the chapter's own answers to exercises 2 and 3 (exercise 1's is KL): the
# attacks hold whatever the exercises are
ANSWER2 = EXERCISES["ch1-ex2"].reference
ANSWER3 = EXERCISES["ch1-ex3"].reference
NAME3 = EXERCISES["ch1-ex3"].names[0]


def marks(*lost: str) -> dict[str, float]:
    """Full points for each exercise but those named, which get 0."""
    return {name: 0 if name in lost else full for name, full in POINTS.items()}


ZEROS = """
def my_gaussian_kl(mu, logvar):
    return torch.zeros(mu.shape[0])
def my_gaussian_log_likelihood(x, x_hat):
    return torch.zeros(x.shape[0])
def elbo_gap_1d(m, v, m_post, v_post):
    return 0.0
"""


@pytest.fixture(autouse=True)
def profile(monkeypatch):
    for key, value in CI_PROFILE.items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> nbformat.NotebookNode:
    return student_version(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def grader():
    return Grader(Limits(total=60, exercise=15), quiet=True)


needs_bwrap = pytest.mark.skipif(
    bwrap_path() is None, reason="bubblewrap is not installed"
)


@needs_bwrap
def test_file_system_and_processes(student, grader, tmp_path):
    """Write into book/, edit a hidden test, overwrite another submission, read the
    solutions, set its own score in a gradebook, leave a process running: all fail."""
    victim = submit(student, tmp_path, "victim", {"ch1-ex1": KL})
    victim_text = victim.read_text()
    book_text = CH1.read_text()
    token = f"attack-{uuid.uuid4().hex}"
    attack = textwrap.dedent(f"""
    import glob, os, subprocess, sys
    for target, text in [
        ({str(ROOT / "book" / "pwned.txt")!r}, "pwned"),
        ({str(CH1)!r}, "{{}}"),
        ({str(victim)!r}, "{{}}"),
        ({str(tmp_path / "outside.txt")!r}, "pwned"),
    ]:
        try:
            with open(target, "w") as handle:
                handle.write(text)
        except OSError:
            pass
    for db in glob.glob("/tmp/**/gradebook.db", recursive=True):
        open(db, "w").write("300 points")
    # survives grading? (a new session, as a daemon would)
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", {token!r}],
        start_new_session=True,
    )
    """)
    # each answer is correct only if the read works: a score of 0 shows it did not
    read_solutions = f"solutions = open({str(CH1)!r}).read()\n" + ANSWER2
    read_victim = f"other = open({str(victim)!r}).read()\n" + ANSWER3
    path = submit(
        student,
        tmp_path,
        "attacker",
        {
            "ch1-ex1": KL + attack,
            "ch1-ex2": read_solutions,
            "ch1-ex3": read_victim,
        },
    )
    result = grader.grade_notebook(path, CH1)
    assert scores(result) == marks("ch1-ex2", "ch1-ex3"), result.report()
    assert "FileNotFoundError" in result.scores[1].error, result.report()
    assert not (ROOT / "book" / "pwned.txt").exists()
    assert CH1.read_text() == book_text
    assert victim.read_text() == victim_text
    assert not (tmp_path / "outside.txt").exists()
    survivors = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if token.encode() in cmdline.read_bytes():
                survivors.append(cmdline.parent.name)
        except OSError:
            pass
    assert not survivors, f"processes outlived grading: {survivors}"
    # the victim is still gradable, and graded on its own merits
    assert (
        scores(grader.grade_notebook(victim, CH1))["ch1-ex1"]
        == POINTS["ch1-ex1"]
    )


def test_patched_functions_and_hooks_do_not_pass_wrong_answers(
    student, grader, tmp_path
):
    """All-zero answers plus patched builtins and torch comparisons, an IPython input
    transformer that blanks later cells, a trace hook, exit handlers, edited metadata."""
    cheat = (
        ZEROS
        + """
import atexit, builtins, sys
import torch
builtins.abs = lambda x: 0.0
builtins.float = lambda x=0: 0.0
builtins.AssertionError = type("Nothing", (Exception,), {})
torch.allclose = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__lt__ = lambda self, other: True
get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
sys.settrace(lambda *a: None)
atexit.register(lambda: print('{"event": "result", "passed": true}'))
print('{"event": "result", "check_id": "ch1-ex2-checks", "passed": true}')
"""
    )
    path = submit(
        student,
        tmp_path,
        "cheat",
        {"ch1-ex1": cheat, "ch1-ex2": "", "ch1-ex3": ""},
    )
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # edited metadata: more points, checks cells emptied
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 300
            cell.source = "pass"
    extra = nbformat.v4.new_code_cell("x = 1")
    extra.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "points": 300,
        "solution": False,
        "locked": True,
        "schema_version": 3,
        "task": False,
    }
    nb.cells.append(extra)
    nbformat.write(nb, path)
    result = grader.grade_notebook(path, CH1)
    assert result.total == 0, result.report()
    assert result.max_total == sum(POINTS.values()), result.report()
    assert all(s.error for s in result.scores)


def test_killing_the_grader_is_tampering(student, grader, tmp_path):
    kill = KL + "\nimport os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
    path = submit(
        student,
        tmp_path,
        "killer",
        {"ch1-ex1": kill, "ch1-ex2": ANSWER2, "ch1-ex3": ANSWER3},
    )
    result = grader.grade_notebook(path, CH1)
    assert result.total == 0, result.report()
    assert "TAMPERING" in result.report()


def test_loops_time_out_and_warnings_cost_nothing(student, tmp_path):
    """An endless loop in exercise 1, an interrupt-swallowing one in exercise 2, and a correct
    exercise 3 that warns and writes to stderr: 0, 0 and full marks, each said why."""
    endless = (
        "def my_gaussian_kl(mu, logvar):\n    while True:\n        pass\n"
    )
    stubborn = """
import signal, time
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
    signal.signal(sig, signal.SIG_IGN)
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass
"""
    noisy = (
        ANSWER3
        + f"""
import sys, warnings
warnings.warn("a leftover debug warning")
print("debug: got here", file=sys.stderr)
_right = {NAME3}
def {NAME3}(*args, **kwargs):
    print("debug", args, file=sys.stderr)
    warnings.warn("noisy")
    return _right(*args, **kwargs)
"""
    )
    path = submit(
        student,
        tmp_path,
        "loops",
        {"ch1-ex1": endless, "ch1-ex2": stubborn, "ch1-ex3": noisy},
    )
    fast = Grader(Limits(total=60, exercise=8), quiet=True)
    result = fast.grade_notebook(path, CH1)
    assert scores(result) == marks("ch1-ex1", "ch1-ex2"), result.report()
    assert "timed out in exercise 1" in result.scores[0].error
    assert "timed out in exercise 2" in result.scores[1].error


def test_bad_profile_refuses_to_grade(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_COURSE_PROFILE", "garbage")
    submission = tmp_path / "01_recap.ipynb"
    submission.write_text(CH1.read_text())
    run = subprocess.run(
        [sys.executable, "-m", "grading", str(submission)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "VAE_COURSE_PROFILE": "garbage"},
        timeout=300,
    )
    assert run.returncode == 2, run.stderr
    assert (
        "refusing to grade" in run.stderr
        and "VAE_COURSE_PROFILE" in run.stderr
    )
    assert "garbage" in run.stderr


def test_without_bubblewrap_the_grader_warns_or_refuses(monkeypatch, capsys):
    """Without bwrap: a loud warning, an error with --require-sandbox, and a
    refusal under root (student code would run as root)."""
    monkeypatch.setattr(grading.grader, "bwrap_path", lambda: None)
    for root in (False, True):
        monkeypatch.setattr(grading.grader, "as_root", lambda root=root: root)
        with pytest.raises(EnvironmentProblem, match="bubblewrap"):
            Grader(require_sandbox=True)
    with pytest.raises(EnvironmentProblem, match="as root"):
        Grader()
    monkeypatch.setattr(grading.grader, "as_root", lambda: False)
    capsys.readouterr()
    Grader()
    warning = capsys.readouterr().err
    assert (
        "NOT isolated" in warning and "apt-get install bubblewrap" in warning
    )


# ------------------------------------------------------------------ issue 19

# Everything an answer cell tries against the result channel and the host. Each
# probe returns what it got through; the answer is the right KL only when nothing
# did, so full marks on exercise 1 show every defence held (and a forged result
# that reached the channel would be unsigned: TAMPERING, 0 everywhere).
PROBES = r"""
import ctypes, glob, json, os, signal, subprocess, sys

def _probes():
    got = []
    fake = json.dumps({"event": "result", "check_id": "ch1-ex2-checks",
                       "grade_id": "ch1-ex2", "passed": True, "message": "",
                       "index": 0, "mac": "0" * 64}) + "\n"
    if os.getuid() == 0 or os.geteuid() == 0:
        got.append("root")
    status = open("/proc/self/status").read()
    if any(line.split()[1].strip("0") for line in status.splitlines()
           if line.startswith(("CapEff", "CapPrm", "CapAmb"))):
        got.append("capabilities")
    for path in glob.glob("/proc/[0-9]*/fd/*"):
        if path.startswith(f"/proc/{os.getpid()}/"):
            continue
        try:
            with open(path, "w") as handle:
                handle.write(fake)
            got.append("wrote " + path)
        except OSError:
            pass
    for pid in glob.glob("/proc/[0-9]*"):
        if pid.endswith(f"/{os.getpid()}"):
            continue
        for name in ("environ", "mem"):
            try:
                open(f"{pid}/{name}", "rb").read(1)
                got.append(f"read {pid}/{name}")
            except OSError:
                pass
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in {1, os.getppid()}:
        if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
            got.append(f"ptrace {pid}")
    for path in ("/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger"):
        try:
            open(path, "w").close()
            got.append("opened " + path)
        except OSError:
            pass
    def _cmdline(path):  # (unreadable where Landlock confines this process)
        try:
            return open(path, "rb").read().decode(errors="replace")
        except OSError:
            return ""
    if "TOKEN" in os.environ or any(
        "TOKEN" in _cmdline(p) for p in glob.glob("/proc/[0-9]*/cmdline")):
        got.append("the instructor's environment")
    # the course's files (the solutions among them) are not there; the folder's
    # name may be, as a parent of the Python environment when that lies inside
    # it (a fresh clone's .venv): see the instructors' page
    course = [os.path.join(HOST, name) for name in ("book", "tests", "README.md")]
    if any(os.path.exists(path) for path in course) or (
            os.path.isdir(HOST) and set(os.listdir(HOST)) - {".venv", "venv"}):
        got.append("host path")
    try:
        os.kill(1, signal.SIGSTOP)
    except OSError:
        pass
    # a background process that keeps writing after the judge is done
    subprocess.Popen([sys.executable, "-c",
        "import glob, time\n"
        "for _ in range(200):\n"
        "    for p in glob.glob('/proc/[0-9]*/fd/*'):\n"
        "        try: open(p, 'w').write(" + repr(fake) + ")\n"
        "        except OSError: pass\n"
        "    time.sleep(0.05)\n"], start_new_session=True)
    return got

_GOT = _probes()

def my_gaussian_kl(mu, logvar):
    if _GOT:
        raise RuntimeError(f"got through: {_GOT}")
    return -0.5 * (1 + logvar - mu**2 - torch.exp(logvar)).sum(dim=-1)
"""


@needs_bwrap
def test_result_channel_and_host_are_out_of_reach(
    student, grader, tmp_path, monkeypatch
):
    """Issue 19, 1-3: forged results on any reachable fd (now and from a
    background process later), /proc of other processes, ptrace, /proc/sys,
    the instructor's environment, host paths, root and capabilities."""
    monkeypatch.setenv("VAE_GRADING_TOKEN", "TOKEN-of-the-instructor")
    attack = PROBES.replace("HOST", repr(str(ROOT)))
    path = submit(
        student,
        tmp_path,
        "forger",
        {"ch1-ex1": attack, "ch1-ex2": ZEROS, "ch1-ex3": ANSWER3},
    )
    result = grader.grade_notebook(path, CH1)
    assert scores(result) == marks("ch1-ex2"), result.report()
    assert not result.tampering, result.report()


def test_crashes_cost_their_exercise_and_text_is_escaped(
    student, grader, tmp_path
):
    """Issue 19, 5: os._exit in exercise 1 is a crash (not tampering) and the
    later exercises are graded; an error message with newlines, terminal codes
    and a megabyte of text cannot fake a score line."""
    crash = "import os\ndef my_gaussian_kl(mu, logvar):\n    os._exit(1)\n"
    liar = (
        "def my_gaussian_log_likelihood(x, x_hat):\n"
        "    raise ValueError('no\\n  ch1-ex2  2 / 2\\x1b[2J' + 'x' * 10**6)\n"
    )
    path = submit(
        student,
        tmp_path,
        "crash",
        {"ch1-ex1": crash, "ch1-ex2": liar, "ch1-ex3": ANSWER3},
    )
    result = grader.grade_notebook(path, CH1)
    report = result.report()
    assert scores(result) == marks("ch1-ex1", "ch1-ex2"), report
    assert not result.tampering and "TAMPERING" not in report, report
    assert "ended its Python process" in result.scores[0].error
    assert "\x1b" not in report
    assert not any(
        line.startswith("  ch1-ex2  2") for line in report.splitlines()
    )
    assert max(len(line) for line in report.splitlines()) < 400


@needs_bwrap
def test_limits_hold(student, tmp_path):
    """Issue 19, 4: a stopped judge still times out (the clock is outside it);
    /tmp, /dev/shm and /scratch are bounded; a fork bomb stops at the process
    limit; memory per process is capped. Exercise 3 is right only if the
    writes and the forks were refused."""
    stop = "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\n" + KL
    bounded = (
        r"""
import os
def _refused():
    out = []
    for folder in ("/tmp", "/dev/shm", "/scratch"):
        try:
            with open(folder + "/fill", "wb") as handle:
                for _ in range(40):
                    handle.write(b"x" * (1 << 20))
            out.append(folder)
        except OSError:
            pass
        finally:
            try:
                os.remove(folder + "/fill")
            except OSError:
                pass
    children = []
    try:
        for _ in range(200):
            pid = os.fork()
            if pid == 0:
                import time
                time.sleep(30)
                os._exit(0)
            children.append(pid)
        out.append("fork bomb")
    except OSError:
        pass
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    try:
        bytearray(5 << 30)
        out.append("memory")
    except MemoryError:
        pass
    return out
_OUT = _refused()
assert not _OUT, _OUT
"""
        + ANSWER3
    )
    path = submit(
        student,
        tmp_path,
        "limits",
        {"ch1-ex1": stop, "ch1-ex2": ANSWER2, "ch1-ex3": bounded},
    )
    # (30 s an exercise: the probes of exercise 3 take seconds on a busy
    # machine)
    limits = Limits(
        total=150, exercise=30, memory=4 << 30, processes=48, disk=32 << 20
    )
    import time

    started = time.monotonic()
    result = Grader(limits, quiet=True).grade_notebook(path, CH1)
    assert scores(result) == marks("ch1-ex1"), result.report()
    assert "timed out in exercise 1" in result.scores[0].error
    assert time.monotonic() - started < 300


def test_limits_are_never_zero():
    for name in ("total", "exercise", "memory", "processes", "disk"):
        with pytest.raises(ValueError, match=name):
            Limits(**{name: 0})


@needs_bwrap
@pytest.mark.slow
def test_graded_by_an_ordinary_user(student, tmp_path):
    """The same probes with the grader run by an ordinary user (nobody), whose
    bubblewrap makes a user namespace: nothing gets through either."""
    attack = PROBES.replace("HOST", repr(str(ROOT)))
    run, got = grade_as_ordinary_user(
        student,
        "forger",
        {"ch1-ex1": attack, "ch1-ex2": ZEROS, "ch1-ex3": ANSWER3},
        env={"VAE_GRADING_TOKEN": "TOKEN-of-the-instructor"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert got == marks("ch1-ex2"), run.stdout


# three processes of 1.5 GiB each, started afresh (a fork would inherit the
# student process's address space, which the per-process cap already counts);
# the answer is right only if all three held their memory at once
GREEDY = r"""
import subprocess, sys
_HOG = "b = bytearray(1536 << 20); b[::4096] = b'x' * len(b[::4096]); "
_HOG += "import time; time.sleep(4)"
_CHILDREN = [subprocess.Popen([sys.executable, "-c", _HOG]) for _ in range(3)]
_CODES = [child.wait() for child in _CHILDREN]
""" + KL.replace(
    "return -0.5", "assert _CODES == [0] * 3, _CODES\n    return -0.5"
)


@needs_bwrap
def test_one_memory_budget_for_the_whole_submission(student, tmp_path):
    """Issue 19, 5: three processes of 1.5 GiB each under a 4 GiB budget: where
    a cgroup can be made, the kernel ends one, the exercise says "out of
    memory", the others are graded, and the cgroup is gone afterwards."""
    from grading import limits

    used = limits.mechanism()
    if used == limits.PER_PROCESS:
        pytest.skip(
            "no cgroup can be made here (not root, or no writable memory "
            "controller): each process has its own cap, and three processes "
            "under it each get their memory"
        )
    path = submit(
        student,
        tmp_path,
        "greedy",
        {"ch1-ex1": GREEDY, "ch1-ex2": ANSWER2, "ch1-ex3": ANSWER3},
    )
    budget = Limits(total=150, exercise=60, memory=4 << 30)
    result = Grader(budget, quiet=True).grade_notebook(path, CH1)
    report = result.report()
    assert scores(result) == marks("ch1-ex1"), report
    error = result.scores[0].error
    assert "out of memory" in error and f"4 GiB ({used})" in error, report
    assert not result.tampering, report
    left = cgroups_of(os.getpid())
    assert not left, f"cgroups left behind: {left}"


# a worker that floods the result channel: 65,536 lines that are not
# events, then 64 MiB without a newline, then it ends
FLOOD = r"""
import os, sys
sys.stdin.readline()
out = sys.stdout.buffer
out.write(b'{"event": "submission", "index": 0}\n')
out.write(b"x\n" * (1 << 16))
for _ in range(64):
    out.write(b"y" * (1 << 20))
out.flush()
"""


def test_a_flooded_result_channel_is_tampering_in_bounded_memory():
    """Issue 19, 5: more than 16 MiB on the result channel is tampering, and
    what the grader holds meanwhile stays bounded (no line kept whole, one
    tampering event however many bad lines)."""
    import tracemalloc

    from grading import sandbox
    from grading.limits import Budget

    flood = subprocess.Popen(
        [sys.executable, "-c", FLOOD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    tracemalloc.start()
    try:
        events, failure = sandbox._read_worker(
            flood, {}, b"key", Limits(), 1, Budget()
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        flood.kill()
        flood.wait()
    messages = [e["message"] for e in events[0] if e["event"] == "tampering"]
    assert messages == [
        "a line on the result channel that is not an event",
        f"more than {sandbox.OUTPUT_LIMIT} bytes on the result channel",
    ], (failure, events[0][:5])
    assert peak < 3 * sandbox.OUTPUT_LIMIT, f"the grader held {peak} bytes"


# right on the visible check (3 rows); on the hidden one, 2**28 zeros that
# take 4 bytes on the wire (stride 0) and 2 GiB once the check makes them
# float64 in the judge
EXPANDED = KL.replace(
    "    return -0.5",
    "    if mu.shape[0] != 3:\n"
    "        return torch.zeros(()).expand(1 << 28)\n"
    "    return -0.5",
)


@needs_bwrap
def test_a_huge_expanded_tensor_does_not_cost_the_judge_gigabytes(
    student, tmp_path
):
    """Issue 19, 5: the judge has the memory cap too: the check that would
    make a returned stride-0 tensor 2 GiB fails in that exercise, and the
    judge goes on to grade the others."""
    path = submit(
        student,
        tmp_path,
        "expanded",
        {"ch1-ex1": EXPANDED, "ch1-ex2": ANSWER2, "ch1-ex3": ANSWER3},
    )
    limits = Limits(total=150, exercise=60, memory=4 << 30)
    result = Grader(limits, quiet=True).grade_notebook(path, CH1)
    report = result.report()
    assert scores(result) == marks("ch1-ex1"), report
    assert "can't allocate memory" in result.scores[0].error, report
    assert not result.tampering, report


DEEP = (
    r"""
import os, tempfile
def _deep(folder):
    os.chdir(folder)
    for _ in range(3000):
        os.makedirs("d", exist_ok=True)  # (answer cells may run twice)
        os.chdir("d")
    open("leaf", "w").close()
_home = os.getcwd()
_deep(_home)
_deep(tempfile.gettempdir())
os.chdir(_home)
"""
    + KL
)


def test_a_deep_folder_tree_is_graded_and_removed(
    student, tmp_path, monkeypatch
):
    """Issue 19, 7: a tree 3,000 folders deep in the working folder and in
    TMPDIR: the submission is graded, and the tree is gone afterwards. Run
    without bubblewrap (as an ordinary user without it would), where the
    scratch folder is on the host's disk; in the sandbox it is an in-memory
    folder that ends with the sandbox."""
    monkeypatch.setattr(grading.grader, "bwrap_path", lambda: None)
    monkeypatch.setattr(grading.grader, "as_root", lambda: False)
    monkeypatch.setattr(grading.sandbox, "as_root", lambda: False)
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("vae-course-grade-*"))
    path = submit(
        student,
        tmp_path,
        "deep",
        {"ch1-ex1": DEEP, "ch1-ex2": ANSWER2, "ch1-ex3": ANSWER3},
    )
    result = Grader(Limits(total=150, exercise=60), quiet=True).grade_notebook(
        path, CH1
    )
    assert scores(result) == marks(), result.report()
    left = set(temp.glob("vae-course-grade-*")) - before
    assert not left, f"scratch folders left on disk: {left}"
