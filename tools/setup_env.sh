#!/usr/bin/env bash
# Make (or reuse) the course's virtual environment in .venv and install everything into it:
# the pinned requirements and this package in editable mode. Safe to run again: it reinstalls
# only when requirements.txt or pyproject.toml changed.
#
# Source it (`source tools/setup_env.sh`) to get the environment in your shell, as build_book.sh
# and run_tests.sh do; it leaves your shell's options alone (the work runs in a subshell with
# `set -euo pipefail`) and returns non-zero if the set-up failed.
_vae_course_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_vae_course_venv="${VAE_COURSE_VENV:-$_vae_course_root/.venv}"

if (
  set -euo pipefail
  root="$_vae_course_root"
  venv="$_vae_course_venv"
  python="${PYTHON:-python3}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating virtual environment $venv"
    "$python" -m venv "$venv"
  fi
  stamp="$venv/.vae-course-installed"
  want="$(cat "$root/requirements.txt" "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing requirements (about two minutes the first time)"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -r "$root/requirements.txt"
    "$venv/bin/python" -m pip install --quiet --no-deps -e "$root"
    echo "$want" > "$stamp"
  fi
); then
  export PATH="$_vae_course_venv/bin:$PATH"
  export VIRTUAL_ENV="$_vae_course_venv"
  unset _vae_course_root _vae_course_venv
else
  echo "setup: failed (see the messages above)" >&2
  unset _vae_course_root _vae_course_venv
  # `return` when sourced, `exit` when run as a script
  return 1 2>/dev/null || exit 1
fi
