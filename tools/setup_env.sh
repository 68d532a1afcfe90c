#!/usr/bin/env bash
# Make (or reuse) the course's virtual environment in .venv and install everything into it:
# the pinned requirements and this package in editable mode. Safe to run again: it reinstalls
# only when requirements.txt or pyproject.toml changed. Sourced by build_book.sh and run_tests.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VAE_COURSE_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating virtual environment $(basename "$venv")"
  "$python" -m venv "$venv"
fi
stamp="$venv/.vae-course-installed"
want="$(cat "$root/requirements.txt" "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing requirements (a few minutes the first time)"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "$root/requirements.txt"
  "$venv/bin/python" -m pip install --quiet --no-deps -e "$root"
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
export VIRTUAL_ENV="$venv"
