"""The Colab install cell: every chapter starts with it, it is silent outside Colab, and it works in "Colab".

The cell's text is rendered by ``tools/colab_cell.py`` from the repository URL and branch in
``_config.yml`` (the one place they are kept). ``test_install_cell_in_fake_colab`` plays Colab: a fresh
virtual environment that sees the test environment's packages (as Colab's Python sees its
preinstalled torch), a stand-in ``google.colab`` module, and the cell run with the package URL
pointed at a copy of this checkout. It needs pip to reach a package index for the build backend
(setuptools), exactly as Colab does.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book_toc  # noqa: E402  (tools/book_toc.py)
import colab_cell  # noqa: E402

NOTEBOOKS = book_toc.chapter_notebooks()
CHAPTERS = [f"book/0{i}" for i in range(1, 6)]


def test_every_chapter_in_the_toc_is_a_notebook():
    names = book_toc.toc_files()
    for prefix in CHAPTERS:
        matches = [n for n in names if n.startswith(prefix + "_")]
        assert len(matches) == 1, (
            f"_toc.yml should list exactly one chapter {prefix}_*: {names}"
        )
        assert (ROOT / f"{matches[0]}.ipynb").exists(), (
            f"{matches[0]}.ipynb is listed in _toc.yml but missing"
        )


def test_cell_reads_the_repository_from_config():
    url, branch = colab_cell.repository()
    source = colab_cell.cell_source()
    assert f'"vae-course @ git+{url}@{branch}"' in source
    # The same URL drives the website's launch buttons: nothing else in the cell names a repository.
    assert source.count("github.com") == 1


def test_distribution_name_matches_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]
    assert project["name"] == colab_cell.DISTRIBUTION
    torch_requirements = [
        d
        for d in project["dependencies"]
        if d.replace(" ", "").startswith("torch")
        and not d.startswith("torchvision")
    ]
    for requirement in torch_requirements:
        # Loose lower bounds only, or pip would replace Colab's torch.
        assert (
            "==" not in requirement
            and "<" not in requirement
            and "~=" not in requirement
        ), requirement


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_code_cell_is_the_install_cell(path):
    assert colab_cell.problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_install_cell_is_silent_outside_colab(path, tmp_path):
    _, cell = colab_cell.first_code_cell(nbformat.read(path, as_version=4))
    # google.colab cannot be imported, and running anything would be a failure.
    guard = textwrap.dedent("""\
        import subprocess, sys
        sys.modules["google.colab"] = None  # makes `import google.colab` raise ImportError
        def _refuse(*args, **kwargs):
            raise AssertionError(f"the install cell ran {args!r} outside Colab")
        subprocess.run = subprocess.call = subprocess.check_call = subprocess.Popen = _refuse
        """)
    script = tmp_path / "cell.py"
    script.write_text(guard + "\n" + cell.source + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == "", (
        "the install cell printed something outside Colab"
    )


def test_fix_rewrites_an_outdated_cell(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Chapter"),
            nbformat.v4.new_code_cell(
                "try:\n    import google.colab\nexcept ImportError:\n    pass\n"
            ),
            nbformat.v4.new_code_cell("import vae_course as vc"),
        ]
    )
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)
    assert colab_cell.problems(path)
    assert colab_cell.fix(path) is True
    assert colab_cell.problems(path) == []
    assert colab_cell.fix(path) is False  # idempotent
    fixed = nbformat.read(path, as_version=4)
    assert (
        len(fixed.cells) == 3
        and fixed.cells[2].source == "import vae_course as vc"
    )

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import vae_course as vc")]
    )
    nbformat.write(nb, path)
    assert colab_cell.fix(path) is True
    fixed = nbformat.read(path, as_version=4)
    assert [c.source for c in fixed.cells][1] == "import vae_course as vc"
    assert colab_cell.problems(path) == []


# ------------------------------------------------------------------------------------------ playing Colab
def _checkout_copy(destination: Path) -> Path:
    """Copy what a push would publish (tracked and untracked-but-not-ignored files) to ``destination``."""
    try:
        listed = (
            subprocess.run(
                [
                    "git",
                    "ls-files",
                    "-z",
                    "--cached",
                    "--others",
                    "--exclude-standard",
                ],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split("\0")
        )
        files = [f for f in listed if f and (ROOT / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        files = []
    if files:
        for name in files:
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    else:  # not a git checkout: copy the tree without build products
        shutil.copytree(
            ROOT,
            destination,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(
                ".git",
                "_build",
                ".venv",
                "venv",
                "__pycache__",
                "*.egg-info",
                "release",
                ".ipynb_checkpoints",
            ),
        )
    assert (destination / "pyproject.toml").exists(), (
        "the checkout has no pyproject.toml: the package is not installable"
    )
    return destination


@pytest.mark.slow
def test_install_cell_in_fake_colab(tmp_path):
    source = _checkout_copy(tmp_path / "checkout")

    # A fresh venv. Colab's torch lives in its system site-packages; here the "system" packages are the
    # ones of the environment running this test (a venv itself, so they are added with a .pth file).
    venv = tmp_path / "colab-venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
        check=True,
        timeout=300,
    )
    python = venv / "bin" / "python"
    venv_site = Path(
        subprocess.run(
            [
                str(python),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    outer = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (venv_site / "_outer_environment.pth").write_text(
        "\n".join(outer) + "\n", encoding="utf-8"
    )

    # The stand-in google.colab (google stays a namespace package, so google.protobuf still imports).
    stub = tmp_path / "colab-stub"
    (stub / "google" / "colab").mkdir(parents=True)
    (stub / "google" / "colab" / "__init__.py").write_text(
        '"""Stand-in for Colab\'s google.colab."""\n'
    )
    (venv_site / "_google_colab_stub.pth").write_text(
        f"{stub}\n", encoding="utf-8"
    )

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER")
    }
    env.update(PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    work = (
        tmp_path / "work"
    )  # not the repository: `import vae_course` must find the installed copy
    work.mkdir()

    def run(code: str, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), "-c", code],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    probe = run(
        "import google.colab, torch, json; print(json.dumps([torch.__version__, torch.__file__]))"
    )
    assert probe.returncode == 0, probe.stderr
    torch_before, torch_file_before = json.loads(probe.stdout)
    outer_torch = subprocess.run(
        [sys.executable, "-c", "import torch; print(torch.__version__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    ).stdout.strip()
    assert torch_before == outer_torch, (
        "the fake Colab does not see the test environment's torch"
    )

    # The notebook's cell, with the package URL pointed at the local copy.
    cell = colab_cell.cell_source()
    remote = colab_cell.package_url()
    assert cell.count(remote) == 1
    cell = cell.replace(remote, source.as_uri())
    installed = run(cell, timeout=900)
    assert installed.returncode == 0, (
        f"pip failed in the fake Colab:\n{installed.stdout}\n{installed.stderr}"
    )

    after = run(
        textwrap.dedent("""\
        import json, torch, vae_course as vc
        mu = torch.zeros(2, 3)
        kl = vc.gaussian_kl(mu, torch.zeros(2, 3))
        print(json.dumps([torch.__version__, torch.__file__, vc.__file__, float(kl.abs().max())]))
        """)
    )
    assert after.returncode == 0, after.stderr
    torch_after, torch_file_after, package_file, kl = json.loads(after.stdout)
    assert (torch_after, torch_file_after) == (
        torch_before,
        torch_file_before,
    ), "the install replaced torch"
    assert not list(venv_site.glob("torch-*.dist-info")), (
        "pip installed a second torch into the venv"
    )
    assert Path(package_file).resolve().is_relative_to(venv_site.resolve()), (
        package_file
    )
    assert kl == 0.0
