"""zoo.frontend: the model cache and readers both front ends share, and the parsing of typed numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zoo import frontend
from zoo.catalog import READERS
from zoo.models import DigitClassifier, ModelLoadError


def test_parse_numbers() -> None:
    assert frontend.parse_numbers("3, 14 15;9") == [3, 14, 15, 9]
    with pytest.raises(ValueError, match="whole numbers"):
        frontend.parse_numbers("1, two")
    with pytest.raises(ValueError, match="at least 2"):
        frontend.parse_numbers("4", minimum=2)
    with pytest.raises(ValueError, match="positive"):
        frontend.parse_numbers("-1, 2")
    with pytest.raises(ValueError, match="Group B sample numbers must be whole numbers"):
        frontend.parse_numbers("x", what="group B sample number")


def test_shared_model_is_loaded_once_per_weights_folder(tiny_weights: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    first = frontend.shared_model("dcgan")
    assert frontend.shared_model("dcgan") is first and not first.training
    shutil.copytree(tiny_weights / "dcgan", tmp_path / "dcgan")
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path))
    assert frontend.shared_model("dcgan") is not first  # another folder, another model
    with pytest.raises(ModelLoadError, match="available: dcgan"):
        frontend.shared_model("wgan")


def test_readers_are_the_evaluators_classifiers_or_none(tiny_weights: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    readers = frontend.readers()
    assert set(readers) == {"mnist", "usps"} and all(isinstance(r, DigitClassifier) for r in readers.values())
    assert readers["usps"] is frontend.shared_model(READERS["usps"])
    shutil.copytree(tiny_weights / "classifier-usps", tmp_path / "classifier-usps")
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path))
    assert frontend.reader("mnist") is None and frontend.reader("usps") is not None
