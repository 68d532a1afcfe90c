#!/usr/bin/env bash
# Run every test: the package's unit tests, every notebook under nbval, the Colab and
# assignment tests, and the browser test of the built site. Does its own set-up on a fresh
# machine (virtual environment in .venv; Debian's chromium for the browser test when run as root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source tools/setup_env.sh
# The browser test of the built site drives Debian's Chromium through its ChromeDriver: install
# them when missing and allowed
# (root, or passwordless sudo, with apt-get, as in CI); otherwise that test says what to do.
if ! command -v chromedriver >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
   && [ -z "${VAE_COURSE_NO_BROWSER:-}" ]; then
  as_root=""
  if [ "$(id -u)" != 0 ]; then as_root="sudo -n"; fi
  if [ -z "$as_root" ] || sudo -n true 2>/dev/null; then
    echo "setup: installing chromium and chromium-driver for the browser test (about a minute)"
    $as_root apt-get update -qq
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
# The CI profile: the offline sample of real digits and few epochs (see vae_course/settings.py).
export VAE_COURSE_PROFILE="${VAE_COURSE_PROFILE:-quick}"
export VAE_COURSE_OFFLINE="${VAE_COURSE_OFFLINE:-1}"
python -m pytest tests book/*.ipynb --nbval --nbval-current-env \
  --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider "$@"
