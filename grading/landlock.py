"""Landlock (Linux 5.13 and later): which files a process may still open, by path.

A process restricts itself, for good: the rules hold for it and every process it
starts, and cannot be lifted. The grader confines each student process this way
(grading/student.py): what it may open is the sandbox's folders, and of /proc
only a few global files, so that no ``/proc/*/mountinfo``, ``cmdline``,
``environ`` or ``maps`` (which name host folders) can be read.

Three system calls through ctypes. (The PyPI package ``landlock`` is a
pre-release, 1.0.0.dev5 in 2025, and the whole interface is these few lines.)
"""

from __future__ import annotations

import ctypes
import os
import stat

# set by grading/sandbox.py in the sandbox: student processes confine themselves
CONFINE = "VAE_GRADING_LANDLOCK"

# system call numbers: the same on every architecture (asm-generic)
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# access rights (include/uapi/linux/landlock.h)
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
ALL = (1 << 16) - 1
READ = EXECUTE | READ_FILE | READ_DIR
# the rights that a rule for a file (not a folder) may grant
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the kernel's header
    _fields_ = [
        ("allowed_access", ctypes.c_uint64),
        ("parent_fd", ctypes.c_int32),
    ]


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    return libc


def abi() -> int:
    """The kernel's Landlock version: 0 where there is none (or it is off)."""
    try:
        libc = _libc()
    except (OSError, AttributeError):
        return 0
    version = libc.syscall(
        ctypes.c_long(_CREATE_RULESET),
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(_CREATE_RULESET_VERSION),
    )
    return max(int(version), 0)


def handled(version: int) -> int:
    """The file system rights that Landlock of ``version`` controls."""
    rights = REFER - 1  # ABI 1: EXECUTE to MAKE_SYM
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def _check(result: int, what: str) -> int:
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"Landlock: {what}: {os.strerror(error)}")
    return result


def restrict(rules: dict[str, int]) -> int:
    """Confine this thread, and every process it starts, to ``rules``.

    ``rules`` maps a path to the rights granted on it and below it (a file:
    the file rights only); every other path gets none of the rights Landlock
    controls. Paths that do not exist are left out. Call it while the process
    has one thread (right after a fork): other threads stay unconfined.
    Returns the Landlock version used, 0 (and confines nothing) where the
    kernel has none; raises OSError if confining fails.
    """
    version = abi()
    if version < 1:
        return 0
    libc = _libc()
    everything = handled(version)
    attr = _RulesetAttr(everything)
    ruleset = _check(
        libc.syscall(
            ctypes.c_long(_CREATE_RULESET),
            ctypes.byref(attr),
            ctypes.c_size_t(ctypes.sizeof(attr)),
            ctypes.c_uint32(0),
        ),
        "create a ruleset",
    )
    try:
        for path, access in rules.items():
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                allowed = access & everything
                if not is_dir:
                    allowed &= FILE_RIGHTS
                if not allowed:
                    continue
                rule = _PathBeneathAttr(allowed, fd)
                _check(
                    libc.syscall(
                        ctypes.c_long(_ADD_RULE),
                        ctypes.c_int(ruleset),
                        ctypes.c_int(_RULE_PATH_BENEATH),
                        ctypes.byref(rule),
                        ctypes.c_uint32(0),
                    ),
                    f"a rule for {path}",
                )
            finally:
                os.close(fd)
        # needed to restrict oneself without CAP_SYS_ADMIN; no setuid program
        # could gain privileges anyway (the sandbox runs with no_new_privs)
        _check(
            libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs"
        )
        _check(
            libc.syscall(
                ctypes.c_long(_RESTRICT_SELF),
                ctypes.c_int(ruleset),
                ctypes.c_uint32(0),
            ),
            "restrict this process",
        )
    finally:
        os.close(ruleset)
    return version
