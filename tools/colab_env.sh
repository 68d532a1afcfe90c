#!/usr/bin/env bash
# Make (or reuse) "Colab in a folder": a virtual environment in .venv-colab holding Colab's own
# versions of every package the course touches, as Google publishes them for Colab's CPU runtime
# (tests/colab/pip-freeze.cpu.txt, a verbatim copy of googlecolab/backend-info's pip-freeze.cpu.txt).
# tests/test_colab_versions.py installs the course package into it as the notebooks' first cell
# does and runs every chapter there.
#
#   bash tools/colab_env.sh          # prints the environment's python
#
# Colab's CPU runtime has Python 3.13: used when found (on PATH or under pyenv), else the closest
# version found, with a note on stderr (PYTHON=... to choose).
# The torch and torchvision of Colab's CPU runtime are "+cpu" builds; the registry serves the same
# versions as its default (CUDA-enabled) builds, so the CUDA libraries those pull in are not taken
# from Colab's list (they are not packages the course touches, and Colab's CPU runtime has none).
# Safe to run again: it rebuilds only when the version list or this script changed, and removes a
# vae-course left installed by an interrupted test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VAE_COURSE_COLAB_VENV:-$root/.venv-colab}"
freeze="$root/tests/colab/pip-freeze.cpu.txt"
# What the course touches: its dependencies (pyproject.toml), what the chapters import, and what a
# notebook runs on (the kernel and the code that executes notebooks).
packages=(torch torchvision numpy matplotlib tqdm ipywidgets widgetsnbextension scikit-learn
          mlxtend pandas scipy pillow ipykernel ipython jupyter_client nbclient nbformat)

# Colab's CPU runtime runs Python 3.13. Use it when this machine has it (on PATH, or installed by
# pyenv even when pyenv's global version is another); otherwise the closest version found, and say
# so (the last line of the output names the interpreter; tests/test_colab_versions.py reports it).
colab_python_version=3.13
runs() { "$1" -c 'import venv, ensurepip' >/dev/null 2>&1; }
find_python() {  # find_python 3.12: an interpreter of that version that runs, or nothing
  local version="$1" candidate
  for candidate in "python$version" \
      $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version"*/bin/"python$version" 2>/dev/null | sort -rV); do
    if command -v "$candidate" >/dev/null 2>&1 && runs "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}
if [ -z "${PYTHON:-}" ]; then
  # Colab's version first, then the nearest ones (newer before older at the same distance).
  for version in 3.13 3.14 3.12 3.15 3.11 3.10; do
    if PYTHON="$(find_python "$version")"; then break; fi
    PYTHON=""
  done
  if [ -z "$PYTHON" ]; then PYTHON=python3; fi
fi
found="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$found" != "$colab_python_version" ]; then
  echo "note: Colab runs Python $colab_python_version; this machine has no working" \
       "python$colab_python_version, so Colab's versions are tried under Python $found ($PYTHON)" >&2
fi
# One build at a time: tools/run_tests.sh builds it in the background while
# tests/test_colab_versions.py may ask for it; the second caller waits, then reuses it.
if command -v flock >/dev/null 2>&1; then
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
fi
constraints="$venv/colab-constraints.txt"
want="$( (cat "$freeze" "${BASH_SOURCE[0]}"; "$PYTHON" --version) | sha256sum | cut -d' ' -f1)"
stamp="$venv/.vae-course-colab"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: building Colab's package versions in $venv with $("$PYTHON" --version)" \
       "(a few minutes the first time)" >&2
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  # Colab's list as pip constraints: '+cpu' builds named by version, CUDA libraries left out.
  sed -E 's/\+(cpu|cu[0-9]+)$//' "$freeze" | grep -v -E '^(nvidia-|cuda-|triton==)' > "$constraints"
  pip_version="$(grep -E '^pip==' "$freeze" | cut -d= -f3)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip==$pip_version" >&2
  # (bytecode compiled on every core at once after pip, as in tools/setup_env.sh)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile \
    -c "$constraints" "${packages[@]}" >&2
  "$venv/bin/python" -m compileall -q -j 0 "$venv/lib" >/dev/null 2>&1 || true
  echo "$want" > "$stamp"
elif "$venv/bin/python" -m pip show --quiet vae-course >/dev/null 2>&1; then
  "$venv/bin/python" -m pip uninstall --quiet --yes vae-course >&2
fi
echo "$venv/bin/python"
