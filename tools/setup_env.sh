#!/usr/bin/env bash
# Make (or reuse) the course's virtual environment in .venv and install everything into it:
# the lock (requirements.txt: every package pinned, made from requirements.in by
# `uv pip compile requirements.in -o requirements.txt --python-version 3.11`) and this package in
# editable mode. Safe to run again: it reinstalls only when requirements.txt or pyproject.toml
# changed.
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
    # Bytecode for all 16,140 modules, compiled on every core at once after pip (pip compiles
    # them one by one: 72 s, measured 2026-12-06; with PYTHONDONTWRITEBYTECODE set, as on CI,
    # Python would otherwise compile each module again in every process that imports it).
    "$venv/bin/python" -m pip install --quiet --no-compile -r "$root/requirements.txt"
    "$venv/bin/python" -m compileall -q -j 0 "$venv/lib" >/dev/null 2>&1 || true
    "$venv/bin/python" -m pip install --quiet --no-deps -e "$root"
    echo "$want" > "$stamp"
  fi
  # The JavaScript that draws saved widgets (progress bars, sliders) on the static pages, from the
  # npm registry, so that the website shows them without a CDN (tools/book_sphinx_fixes.py picks it
  # up). Without npm the pages load the same files from jsdelivr instead.
  widgets="$venv/share/vae-course/widgets"
  if [ ! -f "$widgets/embed-amd.js" ] || [ ! -f "$widgets/require.js" ]; then
    if command -v npm >/dev/null 2>&1; then
      echo "setup: fetching the widget JavaScript for the website from the npm registry"
      tmp="$(mktemp -d)"
      if (cd "$tmp" && npm pack --silent --loglevel=error \
            @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.8 >/dev/null 2>&1); then
        mkdir -p "$tmp/h" "$tmp/r" "$widgets"
        tar -xzf "$tmp"/jupyter-widgets-html-manager-1.0.15.tgz -C "$tmp/h"
        tar -xzf "$tmp"/requirejs-2.3.8.tgz -C "$tmp/r"
        find "$tmp/h/package/dist" -maxdepth 1 -type f ! -name '*.map' ! -name 'embed.js' \
          ! -name 'libembed-amd.js' -exec cp {} "$widgets/" \;
        cp "$tmp/h/package/LICENSE" "$widgets/LICENSE.html-manager" 2>/dev/null || true
        cp "$tmp/r/package/require.js" "$widgets/require.js"
      else
        echo "setup: npm could not fetch it; the website will load the widget JavaScript from a CDN"
      fi
      rm -rf "$tmp"
    fi
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
