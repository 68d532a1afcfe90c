"""vc.device, vc.seed_everything, vc.settings, vc.show_source, and that the
public names exist."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import random
from pathlib import Path

import numpy as np
import pytest
import torch

import vae_course as vc


def test_device_returns_a_torch_device():
    d = vc.device()
    assert isinstance(d, torch.device)
    assert d.type in {"cuda", "mps", "cpu"}
    torch.zeros(1, device=d)  # usable


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert vc.device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert vc.device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert vc.device().type == "cuda"


def test_seed_everything_seeds_python_numpy_and_torch():
    vc.seed_everything(42)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    vc.seed_everything(42)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b
    vc.seed_everything(43)
    assert torch.rand(1).item() != a[2]


@pytest.fixture
def fresh_settings(monkeypatch):
    """settings() is read once per process; clear its cache around each
    test."""
    cache_clear = getattr(vc.settings, "cache_clear", None)
    if cache_clear is None:
        pytest.skip("vc.settings has no cache to clear")
    for name in ("VAE_COURSE_PROFILE", "VAE_COURSE_OFFLINE", "CI"):
        monkeypatch.delenv(name, raising=False)
    cache_clear()
    yield monkeypatch
    cache_clear()


def test_quick_profile(fresh_settings):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "quick")
    s = vc.settings()
    assert isinstance(s, vc.Settings)
    assert s.profile == "quick" and s.data_source == "offline"
    assert (
        isinstance(s.epochs, int)
        and isinstance(s.sweep_epochs, int)
        and 0 < s.sweep_epochs <= s.epochs
    )
    line = s.describe()
    assert (
        all(len(row) <= 79 for row in line.splitlines())  # the book's column
        and "quick" in line
        and str(s.epochs) in line
        and "VAE_COURSE_PROFILE" in line
    )


def test_full_profile_and_offline_switch(fresh_settings):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "full")
    full = vc.settings()
    assert full.profile == "full" and full.data_source == "auto"
    fresh_settings.setenv("VAE_COURSE_OFFLINE", "1")
    vc.settings.cache_clear()
    assert vc.settings().data_source == "offline"


def test_default_profile_on_a_cpu_or_in_ci(fresh_settings):
    fresh_settings.setattr(torch.cuda, "is_available", lambda: False)
    assert vc.settings().profile == "quick"
    vc.settings.cache_clear()
    fresh_settings.setattr(torch.cuda, "is_available", lambda: True)
    fresh_settings.setenv("CI", "true")
    assert vc.settings().profile == "quick"
    vc.settings.cache_clear()
    fresh_settings.delenv("CI")
    assert vc.settings().profile == "full"


def test_unknown_profile(fresh_settings):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "medium")
    with pytest.raises(ValueError) as excinfo:
        vc.settings()
    assert "medium" in str(excinfo.value) and "quick" in str(excinfo.value)


ROOT = Path(__file__).resolve().parents[1]
API_PAGE = ROOT / "book" / "api.md"


def book_api():
    """tools/book_api.py, the Sphinx extension that writes the API page."""
    spec = importlib.util.spec_from_file_location(
        "book_api", ROOT / "tools" / "book_api.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def documented_names() -> dict[str, str]:
    """``{name: "vae_course.module.name"}`` for every object the API page
    documents once the build has filled in its sections."""
    api = book_api()
    text = API_PAGE.read_text()
    assert api.MARKER in text, "book/api.md lost the generator's marker"
    return api.documented_names(api.generated_sections())


def test_the_api_page_is_generated_not_listed_by_hand():
    """The page itself holds no directive: a hand-written list would drift
    from __all__."""
    assert book_api().documented_names(API_PAGE.read_text()) == {}


def test_every_module_of_the_table_exists_and_every_module_is_in_it():
    rows = book_api().module_table(vc.__doc__)
    listed = [module for module, _, _ in rows]
    files = sorted(
        m.name for m in pkgutil.iter_modules(vc.__path__) if m.name[0] != "_"
    )
    assert sorted(listed) == files


def test_the_api_page_documents_exactly_the_exported_names():
    """Derived from the API page, not from a copy of __all__: a name exported
    but not documented, or documented but not exported, fails here."""
    documented = documented_names()
    assert set(documented) == set(vc.__all__), (
        f"exported, not on book/api.md: {set(vc.__all__) - set(documented)}; "
        f"on book/api.md, not exported: {set(documented) - set(vc.__all__)}"
    )


def test_the_public_names_are_exactly_what_the_package_defines():
    """Every public name the package's modules define at the top level is
    exported (or deliberately kept internal below); nothing else is."""
    internal = {
        "Function",  # a type alias
        "PROBES",
        "FORMAT_VERSION",
        "IMAGE_PIXELS",
        "IMAGE_SHAPE",
        "LIKELIHOODS",
        "METHODS",
        "MODEL_CLASSES",
        "DTYPES",
        "KEYS",
        "PROFILES",
        "SOURCES",
        "RAW_FILES",
        "OFFLINE_TRAIN_PER_CLASS",
        "TRUE_WORDS",
        "FALSE_WORDS",
        "CHECK_PREFIXES",
        "DOC_SECTIONS",
        "default_root",
        "offline",
        "require_vae",
        "require_optimizer_of",
        "source_of",
        "as_numpy",
        "build_model",
        "read_checkpoint",
        "STORED_JUDGE",  # the judge's file and its upkeep (tools, tests)
        "train_digit_classifier",
        "save_digit_classifier",
        "load_digit_classifier",
        "in_eval_mode",
        "require_autoencoder",
        "require_input",
        "require_likelihood",
        "require_chunk_size",
        "require_objective",
        "require_latent",
        "ToImages",
        "ConvDecoder",
        "ImageModel",
    }
    defined = set()
    for module in pkgutil.iter_modules(vc.__path__):
        if module.name.startswith("_"):
            continue
        source = (Path(vc.__file__).parent / f"{module.name}.py").read_text()
        for node in ast.parse(source).body:
            names = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign):
                names = [node.target.id]
            defined |= {n for n in names if not n.startswith("_")}
    # guards and plumbing by the naming rule of vae_course/show.py
    guards = {n for n in defined if n.startswith(("require_", "check_"))}
    assert defined - internal - guards == set(vc.__all__)


@pytest.mark.parametrize("name", sorted(vc.__all__))
def test_public_name_resolves_and_has_a_docstring(name):
    documented = documented_names()
    module, _, attr = documented[name].rpartition(".")
    obj = getattr(importlib.import_module(module), attr)
    assert obj is getattr(vc, name), f"{documented[name]} is not vc.{name}"
    if name != "INVERSE_CDFS":
        assert obj.__doc__ and obj.__doc__.strip(), f"vc.{name}: no docstring"


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for path in Path(vc.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                offenders += [
                    f"{path.name}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    assert offenders == []


def test_show_source_outside_a_notebook(capsys):
    """Shows the package's own source of a function (as text when IPython
    display is unavailable)."""
    result = vc.show_source(vc.gaussian_kl)
    out = capsys.readouterr().out
    text = out + (
        str(result.data) if hasattr(result, "data") else str(result or "")
    )
    assert "def gaussian_kl" in text


def test_show_source_shows_the_maths_without_the_guards():
    text = vc.show.source_of(vc.reparameterize)
    assert "return mu + torch.exp(0.5 * logvar) * eps" in text
    for guard in ("require_", "raise", "Args:", "Returns:"):
        assert guard not in text, guard
    assert "checks omitted" in text.splitlines()[0]
    full = vc.show.source_of(vc.reparameterize, full=True)
    assert "require_same_shape" in full and "Args:" in full
    # and the function still checks what the display leaves out
    with pytest.raises(ValueError):
        vc.reparameterize(torch.zeros(2, 3), torch.zeros(2, 4))


def test_chapter_4_can_print_the_training_step():
    """The step train runs is short enough to print in the chapter."""
    text = vc.show.source_of(vc.train_step)
    lines = text.splitlines()
    assert 8 <= len(lines) <= 30, len(lines)
    assert "loss(model, x, generator)" in text and ".backward()" in text
    assert max(len(line) for line in lines[1:]) <= 79


def test_show_source_refuses_private_functions():
    with pytest.raises(ValueError) as excinfo:
        vc.show_source(vc.training._split)
    assert "private" in str(excinfo.value)


def test_offline_switch_is_parsed_in_one_place():
    package = Path(vc.__file__).parent
    readers = [
        p.name
        for p in package.glob("*.py")
        if 'VAE_COURSE_OFFLINE"' in p.read_text()
        or "VAE_COURSE_OFFLINE'" in p.read_text()
    ]
    assert readers == ["profiles.py"]


@pytest.mark.parametrize("value", ["maybe", "yes please", "2"])
def test_unknown_offline_values_are_refused(fresh_settings, value):
    fresh_settings.setenv("VAE_COURSE_PROFILE", "full")
    fresh_settings.setenv("VAE_COURSE_OFFLINE", value)
    with pytest.raises(ValueError) as excinfo:
        vc.settings()
    assert "VAE_COURSE_OFFLINE" in str(excinfo.value)
    assert repr(value.strip().lower()) in str(excinfo.value)


@pytest.mark.parametrize("value", ["garbage", "fast", "1"])
def test_unknown_profiles_are_refused(fresh_settings, value):
    fresh_settings.setenv("VAE_COURSE_PROFILE", value)
    with pytest.raises(ValueError) as excinfo:
        vc.settings()
    assert "VAE_COURSE_PROFILE" in str(excinfo.value)
    assert repr(value) in str(excinfo.value)


# ------------------------------------------------- dependencies run one way
def _imports_of(module: str) -> set[str]:
    source = (Path(vc.__file__).parent / f"{module}.py").read_text()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(node.module)
    return found


CHAPTER_5 = {"posterior", "inference", "probes", "downstream"}


@pytest.mark.parametrize(
    "module",
    [
        "gaussian",
        "likelihoods",
        "linear_gaussian",
        "prior_monte_carlo",
        "autoencoder",
        "bounds",
    ],
)
def test_chapter_1_code_imports_nothing_of_chapter_5(module):
    assert not _imports_of(module) & CHAPTER_5, _imports_of(module)


def test_the_objectives_come_before_the_trainer():
    """data -> model -> objective -> trainer: the objectives (and evaluate,
    which measures them) never import the trainer."""
    assert "training" not in _imports_of("objectives")
    assert "training" not in _imports_of("bounds")
    assert vc.evaluate.__module__ == "vae_course.objectives"
    assert vc.log_normal_diag.__module__ == vc.gaussian_kl.__module__


def test_no_exported_name_shadows_a_module_of_the_package():
    """``import vae_course.settings`` once gave a function, not a module."""
    modules = {m.name for m in pkgutil.iter_modules(vc.__path__)}
    assert not modules & set(vc.__all__), modules & set(vc.__all__)
