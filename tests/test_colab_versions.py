"""The course in Colab's own package versions: installing it changes nothing, and every chapter runs.

Colab's front end draws ipywidgets 7 and ships its own torch; a first cell that upgraded either
would break the progress bars, the explorer or the GPU build for every student. This test builds
(once, then reuses) an environment of Colab's published versions of every package the course
touches (``tools/colab_env.sh``, from ``tests/colab/pip-freeze.cpu.txt``), then, as a student's
first cell does:

1. installs the package with the notebooks' own install cell (``tools/colab_cell.py``; the
   repository URL pointed at a copy of this checkout, a stand-in ``google.colab`` importable);
2. checks that pip changed and removed no installed package and added only ``vae-course`` and
   packages Colab does not have;
3. starts a kernel of that environment, as a notebook does, and checks that it really is Colab's
   (torch, ipywidgets, Python) and imports the installed package (not this checkout);
4. uninstalls the package again, so the cached environment stays Colab's.

Every chapter runs in these versions too, top to bottom under strict nbval (every assert passes
and every stored output is the same): ``tools/run_tests.sh`` does that in the background beside
the main run (its ``colab-versions`` run, one thread), with a kernel of this environment.

The environment runs Colab's Python, 3.13, when the machine has it (on ``PATH`` or installed by
pyenv); otherwise the closest version found, and the test warns that it did.

Set ``VAE_COURSE_NO_COLAB_ENV=1`` to skip it (it needs the package registry the first time, about
3 minutes and 5 GB of disk; later runs reuse ``.venv-colab``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import colab_cell  # noqa: E402
from test_colab import _checkout_copy  # noqa: E402

FREEZE = ROOT / "tests" / "colab" / "pip-freeze.cpu.txt"
COLAB_PYTHON = "3.13"
"""The Python of Colab's runtime (tools/colab_env.sh uses it when the machine has it)."""


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _colab_versions(freeze: Path = FREEZE) -> dict[str, str]:
    """Colab's runtime: distribution name -> version (local '+cpu' suffix dropped)."""
    versions = {}
    for line in freeze.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            versions[_canonical(name)] = version.split("+")[0].strip()
    return versions


def _installed(python: str, env: dict) -> dict[str, str]:
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=300,
    ).stdout
    return {_canonical(p["name"]): p["version"] for p in json.loads(listed)}


@pytest.fixture(scope="module")
def colab_python() -> str:
    if os.environ.get("VAE_COURSE_NO_COLAB_ENV", "") in ("1", "true", "yes"):
        pytest.skip("VAE_COURSE_NO_COLAB_ENV=1 is set")
    built = subprocess.run(
        ["bash", str(ROOT / "tools" / "colab_env.sh")],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert built.returncode == 0, (
        f"tools/colab_env.sh failed:\n{built.stdout}\n{built.stderr[-6000:]}"
    )
    python = built.stdout.strip().splitlines()[-1]
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if version != COLAB_PYTHON:
        # tools/colab_env.sh found no Python 3.13 and took the closest: say so.
        warnings.warn(
            f"Colab runs Python {COLAB_PYTHON}; this machine has none, so "
            f"Colab's package versions were tested under Python {version}",
            stacklevel=1,
        )
    print(f"Colab's versions under Python {version} ({python})")
    return python


# The kernel spec of the Colab environment, and a last cell that reports what the kernel ran on.
KERNEL = "vae-course-colab"
REPORT = """\
import json, sys, ipywidgets, torch, vae_course
print(json.dumps({"torch": torch.__version__, "ipywidgets": ipywidgets.__version__,
                  "python": sys.executable, "vae_course": vae_course.__file__,
                  "version": "%d.%d" % sys.version_info[:2]}))"""
NOTEBOOK = {
    "cells": [],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}
RUNNER = """\
import sys, time, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(sys.argv[2]))
start = time.perf_counter()
NotebookClient(nb, timeout=1200, kernel_name=sys.argv[3],
               resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
print(f"{time.perf_counter() - start:.0f}")
print(nb.cells[-1].outputs[0]["text"])
"""


@pytest.mark.slow
def test_install_cell_and_chapters_in_colab_versions(colab_python, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER")
    }
    env.update(PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    colab = _colab_versions()
    before = _installed(colab_python, env)
    for name in ("torch", "ipywidgets", "numpy", "ipykernel"):
        assert before.get(name) == colab[name], (
            f"the Colab environment has {name} {before.get(name)}, "
            f"Colab has {colab[name]}"
        )

    # 1. The notebooks' install cell, in "Colab" (google.colab importable).
    source = _checkout_copy(tmp_path / "checkout")
    stub = tmp_path / "colab-stub"
    (stub / "google" / "colab").mkdir(parents=True)
    (stub / "google" / "colab" / "__init__.py").write_text(
        '"""Stand-in for Colab\'s google.colab."""\n'
    )
    cell = colab_cell.cell_source()
    assert cell.count(colab_cell.package_url()) == 1
    cell = cell.replace(colab_cell.package_url(), source.as_uri())
    work = tmp_path / "work"  # not the checkout: import the installed copy
    work.mkdir()
    try:
        installed = subprocess.run(
            [colab_python, "-c", cell],
            cwd=work,
            env={**env, "PYTHONPATH": str(stub)},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert installed.returncode == 0, (
            f"the install cell failed:\n{installed.stdout}\n{installed.stderr}"
        )

        # 2. Nothing that was there changed; nothing Colab has was added.
        after = _installed(colab_python, env)
        changed = {
            n: f"{before[n]} -> {after.get(n, 'removed')}"
            for n in before
            if after.get(n) != before[n]
        }
        assert not changed, f"the install cell changed packages: {changed}"
        added = set(after) - set(before)
        assert "vae-course" in added, "the install cell did not install it"
        in_colab = sorted(n for n in added if n in colab)
        assert not in_colab, (
            f"pip added {in_colab}, which Colab has: tools/colab_env.sh must "
            "install them too, or the check above proves nothing about them"
        )
        print(f"the install cell added {sorted(added)} and changed nothing")

        # 3. A kernel of this environment, as a notebook starts one.
        kernels = tmp_path / "jupyter" / "kernels" / KERNEL
        kernels.mkdir(parents=True)
        (kernels / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [
                        colab_python,
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                    ],
                    "display_name": "Colab versions",
                    "language": "python",
                }
            )
        )
        notebook = work / "report.ipynb"
        notebook.write_text(json.dumps(NOTEBOOK))
        ran = subprocess.run(
            [colab_python, "-c", RUNNER, str(notebook), REPORT, KERNEL],
            cwd=work,
            env={**env, "JUPYTER_PATH": str(tmp_path / "jupyter")},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert ran.returncode == 0, (
            f"the kernel failed in Colab's versions:\n"
            f"{ran.stdout[-3000:]}\n{ran.stderr[-6000:]}"
        )
        _, report = ran.stdout.strip().split("\n", 1)
        facts = json.loads(report)
        assert facts["torch"].split("+")[0] == colab["torch"], facts
        assert facts["ipywidgets"] == colab["ipywidgets"], facts
        prefix = str(Path(colab_python).parent.parent)
        assert facts["python"].startswith(prefix), facts
        assert facts["vae_course"].startswith(prefix), facts
        print(
            f"a kernel of Colab's versions (Python {facts['version']}) "
            "imports the installed package"
        )
    finally:
        # 4. Leave the cached environment as Colab's.
        subprocess.run(
            [colab_python, "-m", "pip", "uninstall", "--quiet", "--yes"]
            + ["vae-course"],
            env=env,
            capture_output=True,
            timeout=300,
        )


@pytest.mark.parametrize("runtime", ["cpu", "gpu"])
def test_dependency_bounds_admit_colabs_versions(runtime):
    """Every dependency in pyproject.toml accepts the version Colab has (CPU and GPU runtimes)."""
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    colab = _colab_versions(FREEZE.with_name(f"pip-freeze.{runtime}.txt"))
    project = tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]
    refused = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = _canonical(requirement.name)
        assert name in colab, f"Colab's {runtime} runtime has no {name}"
        if not requirement.specifier.contains(colab[name], prereleases=True):
            refused.append(f"{line} refuses Colab's {name} {colab[name]}")
    assert not refused, refused
    assert colab["ipywidgets"] == "7.7.1"  # the copy is Colab's list
