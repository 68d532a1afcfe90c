#!/usr/bin/env bash
# Build the course website from the notebooks' stored outputs: _build/html/index.html.
# Does its own set-up (virtual environment in .venv, pinned requirements) on a fresh machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source tools/setup_env.sh
jupyter-book build . --all -W -n --keep-going
echo
echo "The book is built: open _build/html/index.html in a browser"
echo "(or serve it: python -m http.server -d _build/html 8000, then http://localhost:8000)."
