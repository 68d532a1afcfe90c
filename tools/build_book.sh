#!/usr/bin/env bash
# Build the course website from the notebooks' stored outputs: _build/html/index.html.
# Does its own set-up (virtual environment in .venv, pinned requirements) on a fresh machine.
#
#   bash tools/build_book.sh             # the public edition (solutions collapsed): _build/html
#   bash tools/build_book.sh --student   # the student edition (no solutions, Colab buttons at
#                                        # instructors/student_edition.yml): _build/student/_build/html
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
edition=public
case "${1:-}" in
  "") ;;
  --student) edition=student ;;
  *) echo "usage: bash tools/build_book.sh [--student]" >&2; exit 2 ;;
esac
source tools/setup_env.sh
if [ "$edition" = public ]; then
  jupyter-book build . --all -W -n --keep-going
  site=_build/html
else
  # The chapters' student versions (tools/book_student.py calls the assignment tool) with the
  # outputs of the cells above the first exercise, built as a book of their own.
  python tools/book_student.py _build/student-src
  jupyter-book build _build/student-src --all -W -n --keep-going --path-output _build/student
  site=_build/student/_build/html
fi
echo
echo "The book is built: open $site/index.html in a browser"
echo "(or serve it: python -m http.server -d $site 8000, then http://localhost:8000)."
