#!/usr/bin/env bash
# Run every test: the package's unit tests, every notebook under strict nbval, the Colab and
# assignment tests, and the browser test of the built site; and the notebooks again under strict
# nbval with another CPU "personality" and in Colab's package versions (see below), in parallel
# with the main run. Does its own set-up on a fresh machine (virtual environment in .venv, Colab's
# package versions in .venv-colab, Debian's chromium and bubblewrap when run as root or with
# passwordless sudo).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
setup_start=$SECONDS
source tools/setup_env.sh
echo "setup: .venv ready after $((SECONDS - setup_start)) s"
# Debian packages the tests drive: Chromium and its ChromeDriver (the browser test of the built
# site) and bubblewrap (the grader runs students' code in its sandbox). Installed when missing and
# allowed (root, or passwordless sudo, with apt-get, as in CI); otherwise those tests say what to do.
debian=()
if ! command -v chromedriver >/dev/null 2>&1 && [ -z "${VAE_COURSE_NO_BROWSER:-}" ]; then
  debian+=(chromium chromium-driver)
fi
if ! command -v bwrap >/dev/null 2>&1; then debian+=(bubblewrap); fi
if [ "${#debian[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  as_root=""
  if [ "$(id -u)" != 0 ]; then as_root="sudo -n"; fi
  if [ -z "$as_root" ] || sudo -n true 2>/dev/null; then
    echo "setup: installing ${debian[*]} with apt-get (about a minute)"
    $as_root apt-get update -qq
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debian[@]}" >/dev/null
  fi
fi
# Lint first (seconds): the project's habits, and no line a reader sees wider than the book's
# column (settings in pyproject.toml).
ruff check .
ruff format --check . >/dev/null || { ruff format --check .; exit 1; }
# Several runs share two cores below (the main run and the two background runs of the
# notebooks). By default torch's OpenMP threads spin while they wait for work, and on
# busy cores the spinning takes the time the work needs. benchmarks/bench_busy_cores.py, 2 cores:
# 200 training steps beside two busy processes took 94 s (median of 3) with the default policy
# and 3 s with OMP_WAIT_POLICY=PASSIVE (about the same as alone, 2.8 s to 3.3 s), which changes
# no result: waiting threads sleep instead of spinning.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# The CI profile: the offline sample of real digits and few epochs (see vae_course/settings.py).
export VAE_COURSE_PROFILE="${VAE_COURSE_PROFILE:-quick}"
export VAE_COURSE_OFFLINE="${VAE_COURSE_OFFLINE:-1}"
notebooks=(book/*.ipynb)
nbval=(python -m pytest "${notebooks[@]}" --nbval --nbval-current-env
       --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider)

# Stored outputs must not depend on the machine. Besides the main run below (this machine as it
# is, torch's default threads), the notebooks run under strict nbval twice more, in the
# background while the main run goes on (`VAE_COURSE_PERSONALITIES=0` skips both):
# - generic-kernels: torch's generic CPU kernels and MKL limited to SSE4.2 in its reproducible
#   code path (another instruction set), one thread (another summation order);
# - colab-versions: in Colab's own package versions (torch, numpy, scikit-learn, matplotlib...
#   of Colab's CPU runtime, Python 3.13; tools/colab_env.sh builds them once in .venv-colab,
#   then reuses them), one thread: every chapter runs in them and shows a student on Colab the
#   numbers the book shows. (tests/test_colab_versions.py checks that the notebooks' install
#   cell installs the course there and changes none of Colab's packages.)
logs="_build/personalities"
pids=()
names=()
mkdir -p "$logs"
personality() {  # name, then the command; its log is $logs/name.log
  local name="$1"; shift
  (start=$SECONDS; rc=0
   "$@" > "$logs/$name.log" 2>&1 || rc=$?
   echo "$name: strict nbval took $((SECONDS - start)) s" >> "$logs/$name.log"
   exit "$rc") &
  pids+=($!); names+=("$name")
}
colab_versions() {  # build (or reuse) Colab's versions, then strict nbval with their kernel
  local python kernels
  if [ -n "${VAE_COURSE_NO_COLAB_ENV:-}" ]; then
    echo "skipped: VAE_COURSE_NO_COLAB_ENV is set"; return 0
  fi
  local start=$SECONDS
  if ! python="$(bash tools/colab_env.sh | tail -n 1)"; then
    echo "could not build the Colab-versions environment (tests/test_colab_versions.py says why)"
    return 0
  fi
  echo "the Colab-versions environment took $((SECONDS - start)) s: $python"
  "$python" -c 'import sys, torch, numpy, sklearn
print("Python %d.%d" % sys.version_info[:2], "torch", torch.__version__, "numpy",
      numpy.__version__, "scikit-learn", sklearn.__version__)'
  # a kernel of that environment that imports this checkout's vae_course
  kernels="$root/_build/colab-kernel"
  mkdir -p "$kernels/kernels/vae-course-colab"
  printf '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Colab versions", "language": "python", "env": {"PYTHONPATH": "%s"}}\n' \
    "$python" "$root" > "$kernels/kernels/vae-course-colab/kernel.json"
  JUPYTER_PATH="$kernels" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    python -m pytest "${notebooks[@]}" --nbval --nbval-kernel-name vae-course-colab \
    --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider -q
}
if [ "${VAE_COURSE_PERSONALITIES:-1}" != 0 ]; then
  personality generic-kernels env ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 \
    MKL_CBWR=COMPATIBLE OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "${nbval[@]}" -q
  personality colab-versions colab_versions
elif [ -z "${VAE_COURSE_NO_COLAB_ENV:-}" ]; then
  bash tools/colab_env.sh >/dev/null || true  # for tests/test_colab_versions.py
fi

# The main run: every test file and every notebook (strict nbval) on pytest-xdist workers, one file
# at a time per worker (a notebook's cells stay in order in one kernel; a file's fixtures are made
# once). Without workers the run is one process, which leaves a core idle once the personalities
# above are done. Files go out in the order of tests/conftest.py (the slowest first); the slowest tests are
# listed at the end (--durations). `VAE_COURSE_TEST_WORKERS=0` runs it in one process.
workers="${VAE_COURSE_TEST_WORKERS:-2}"
xdist=()
if [ "$workers" != 0 ]; then xdist=(-n "$workers" --dist loadfile --no-loadscope-reorder); fi
start=$SECONDS
status=0
python -m pytest "${xdist[@]}" --durations=25 tests "${notebooks[@]}" \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  -p no:cacheprovider "$@" || status=$?
echo "the main run took $((SECONDS - start)) s"
for i in "${!pids[@]}"; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "FAILED: the notebooks under the ${names[$i]} personality (log: $logs/${names[$i]}.log):"
    tail -n 60 "$logs/${names[$i]}.log"
    status=1
  else
    tail -n 2 "$logs/${names[$i]}.log"
  fi
done
exit "$status"
