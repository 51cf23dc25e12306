"""zoo.catalog: kinds and objectives read from config.json, what is missing, and which model a page opens on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_tiny_weights

from zoo import catalog
from zoo.catalog import Objective


@pytest.fixture
def weights(tiny_weights: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    return tiny_weights


def test_catalog_kinds_missing_and_how_to_get(weights: Path, monkeypatch) -> None:
    assert catalog.available("translator") == ["cyclegan-lambda0", "cyclegan-lambda10"]
    assert catalog.available("generator") == ["basic-gan", "dcgan"]
    assert catalog.missing("generator") == ["wgan", "otgan"]
    assert catalog.kind("classifier-usps") == "classifier" and catalog.objective("cyclegan-lambda10").lambda_cycle == 10
    assert catalog.kind("cyclegan-lambda6") == "translator"  # missing: from the shipped list
    assert catalog.objective("cyclegan-lambda6") == Objective()  # missing: nothing to read, no guess from the name
    assert "python -m train.cyclegan --lambda-cycle 6" in catalog.how_to_get("cyclegan-lambda6")
    monkeypatch.setenv("GAN_ZOO_HUB_REPO", "someone/gan-zoo")
    assert "wgan" in catalog.available("generator") and catalog.missing() == []


def test_a_folders_kind_comes_from_its_config_not_its_name(tmp_path: Path, monkeypatch) -> None:
    make_tiny_weights(tmp_path, lambdas=(3,))
    (tmp_path / "cyclegan-lambda3").rename(tmp_path / "my-translator")
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    assert catalog.kind("my-translator") == "translator" and catalog.objective("my-translator").lambda_cycle == 3
    assert catalog.available("translator") == ["my-translator"]
    assert "python -m train.cyclegan --out runs/my-translator" in catalog.how_to_get("my-translator")
    inventory = {row["model"]: row for row in catalog.inventory()}
    assert inventory["my-translator"] == {"model": "my-translator", "kind": "translator", "installed": "✅"}
    assert inventory["cyclegan-lambda10"]["installed"] == "missing" and inventory["dcgan"]["installed"] == "✅"


def test_default_translator_prefers_the_semantic_one_then_lambda10_then_the_first(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    cases = {"semantic": ((0, 10), True), "lambda10": ((0, 10), False), "first": ((3, 6), False)}
    expected = {"semantic": "cyclegan-semantic", "lambda10": "cyclegan-lambda10", "first": "cyclegan-lambda3"}
    for case, (lambdas, semantic) in cases.items():
        make_tiny_weights(tmp_path / case, lambdas=lambdas, semantic=semantic)
        monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path / case))
        assert catalog.default("translator") == expected[case], case
        assert catalog.default("generator") == "dcgan"
    assert catalog.available("translator")[-1] == "cyclegan-lambda6"
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path / "semantic"))
    assert catalog.available("translator") == ["cyclegan-lambda0", "cyclegan-lambda10", "cyclegan-semantic"]
    assert catalog.kind("classifier-mnist-semantic") == "classifier"
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path / "nothing"))
    assert catalog.default("translator") is None


def test_objective_labels_the_sweep_by_lambda_and_anything_else_by_what_differs(tmp_path: Path) -> None:
    assert Objective(10.0).label == "λ = 10" and Objective(10.0).in_sweep
    assert Objective(10.0, 5.0).in_sweep and Objective(10.0, 5.0).label == "λ = 10, identity 5"
    assert Objective(10.0, None).label == "λ = 10, identity 0.5·λ"  # a folder from before it was recorded
    semantic = Objective(10.0, 0.0, 1.0)
    assert not semantic.in_sweep and semantic.label == "semantic (CyCADA), λ = 10"
    make_tiny_weights(tmp_path, lambdas=(), semantic=True)
    config = json.loads((tmp_path / "cyclegan-semantic" / "config.json").read_text())
    assert config["semantic_weight"] == 1.0 and config["semantic_classifier"] == "classifier-mnist-semantic"
    assert Objective.of(config) == semantic
    row = {"kind": "translator", "lambda_cycle": 3.0}  # a metrics.json written before objectives were recorded
    assert Objective.of(row) == Objective(3.0, None) and Objective.of(row).in_sweep


def test_discriminators_are_found_beside_their_generators_and_never_offered_as_models(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(make_tiny_weights(tmp_path, lambdas=(), gans=True)))
    assert catalog.discriminators() == {n: f"{n}/discriminator" for n in ("basic-gan", "dcgan", "wgan", "otgan")}
    (tmp_path / "dcgan" / "discriminator").rename(tmp_path / "stray-discriminator")  # copied to the top level
    assert catalog.kind("stray-discriminator") == "discriminator"
    assert "stray-discriminator" not in catalog.available() + catalog.available("generator")
    assert catalog.available("discriminator") == ["stray-discriminator"]
    assert "dcgan" not in catalog.discriminators()
