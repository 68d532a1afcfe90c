#!/usr/bin/env bash
# Run every test: the package's unit tests, every notebook under nbval, the Colab and
# assignment tests, and the browser test of the built site. Does its own set-up on a fresh
# machine (virtual environment in .venv; Debian's chromium for the browser test when run as root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source tools/setup_env.sh
# The CI profile: the offline sample of real digits and few epochs (see vae_course/settings.py).
export VAE_COURSE_PROFILE="${VAE_COURSE_PROFILE:-quick}"
export VAE_COURSE_OFFLINE="${VAE_COURSE_OFFLINE:-1}"
python -m pytest tests book/*.ipynb --nbval --nbval-current-env \
  --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider "$@"
