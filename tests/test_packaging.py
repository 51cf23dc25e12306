"""The project is one installable package whose dependencies are declared once, in pyproject.toml."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import zoo
from zoo import space

REPO = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = {  # import name → distribution name, for the third-party modules the library imports
    "PIL": "pillow",
    "h5py": "h5py",
    "huggingface_hub": "huggingface-hub",
    "numpy": "numpy",
    "plotly": "plotly",
    "safetensors": "safetensors",
    "torch": "torch",
    "torchvision": "torchvision",
}


def test_pyproject_builds_the_zoo_package_with_its_weights() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    setuptools = pyproject["tool"]["setuptools"]
    assert set(setuptools["packages"]) == {"zoo", "zoo.models", "zoo.weights", "train"}
    assert setuptools["package-dir"] == {"zoo.weights": "weights"}  # shipped as zoo/weights (zoo.folder finds it)


def test_one_license_everywhere_the_project_states_it() -> None:
    # the package, its LICENSE file, the model cards and the Space's front matter all say MIT
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    cards = sorted((REPO / "weights").glob("*/README.md"))
    assert cards and all("\nlicense: mit\n" in card.read_text() for card in cards)
    assert all("\nlicense: mit\n" in space.readme_text(sdk, ["dcgan"]) for sdk in space.SDKS)


def test_every_library_import_is_a_declared_dependency_and_requirements_install_the_project() -> None:
    imported = set()
    for path in (REPO / "zoo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"zoo"}
    assert third_party <= set(DISTRIBUTIONS), third_party - set(DISTRIBUTIONS)
    core = {line.split("=")[0].split(">")[0].split("<")[0] for line in space.declared()}
    assert {DISTRIBUTIONS[m] for m in third_party} <= core
    assert "-e .[app]" in (REPO / "requirements.txt").read_text().splitlines()
    assert "-e .[app,test]" in (REPO / "requirements-test.txt").read_text().splitlines()
    assert zoo.list_models() == zoo.folder.list_models()


def test_shipped_weights_stay_within_their_budget() -> None:
    # weights/ holds only the shipped models and travels with every clone, wheel and Space: at most 60 MB
    files = [p for p in (REPO / "weights").rglob("*") if p.is_file()]
    assert all(p.suffix in {".json", ".jsonl", ".safetensors", ".md", ".png"} for p in files), "not a model file"
    assert sum(p.stat().st_size for p in files) < 60e6
