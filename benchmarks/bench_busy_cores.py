"""Why the test command sets ``OMP_WAIT_POLICY=PASSIVE``: torch's threads on
busy cores.

``tools/run_tests.sh`` runs several things at once on CI's two cores: the
main run (torch's default, one thread per core) and, beside it, the
notebooks under two other CPU personalities on one thread each. By default
the OpenMP threads of torch's CPU kernels spin while they wait for work; on
cores that other processes keep busy, that spinning takes the time the work
needs. This benchmark times the same training steps of ``vc.MLPVAE`` with
``vc.train_step``, alone and beside busy processes, with OpenMP's default
wait policy and with ``PASSIVE`` (threads sleep instead of spinning; no
result changes), each in a fresh process because the policy is read when
OpenMP starts.

Usage (from the repository root)::

    python benchmarks/bench_busy_cores.py              # 2 busy processes
    python benchmarks/bench_busy_cores.py --busy 1 --repeats 5

Figures on a shared machine are noisy: compare medians over repeats.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time

STEPS = """
import time, torch, vae_course as vc
torch.manual_seed(0)
model = vc.MLPVAE(latent_dim=20, hidden_dim=400)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.rand(128, 1, 28, 28)
vc.train_step(model, x, optimizer)  # warm-up
start = time.perf_counter()
for _ in range({steps}):
    vc.train_step(model, x, optimizer)
print(time.perf_counter() - start)
"""


def busy() -> None:
    while True:
        pass


def timed(policy: str | None, steps: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    out = subprocess.run(
        [sys.executable, "-c", STEPS.format(steps=steps)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--busy", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    print(
        f"{os.cpu_count()} cores; {args.steps} steps of MLPVAE(20, 400), batch 128"
    )
    for n_busy in (0, args.busy):
        workers = [
            multiprocessing.Process(target=busy, daemon=True)
            for _ in range(n_busy)
        ]
        for w in workers:
            w.start()
        try:
            for policy in (None, "PASSIVE"):
                times = [
                    timed(policy, args.steps) for _ in range(args.repeats)
                ]
                print(
                    f"{n_busy} busy processes, OMP_WAIT_POLICY="
                    f"{policy or '(default)':9}: median "
                    f"{statistics.median(times):6.2f} s  "
                    f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
                )
        finally:
            for w in workers:
                w.terminate()
            time.sleep(0.2)


if __name__ == "__main__":
    main()
