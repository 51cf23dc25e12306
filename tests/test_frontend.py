"""zoo.frontend: the model cache and readers both front ends share, and the parsing of typed numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
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


def test_serve_threads_uses_one_torch_thread_unless_told(monkeypatch) -> None:
    """Issue 14: on 2 busy cores, two intra-op threads per request made a 5 ms translation take up to 1.7 s."""
    import threading

    import torch

    def in_a_thread(env: str | None) -> tuple[int, int]:
        out = []

        def run() -> None:
            if env is None:
                monkeypatch.delenv(frontend.THREADS_ENV, raising=False)
            else:
                monkeypatch.setenv(frontend.THREADS_ENV, env)
            out.append((frontend.serve_threads(), torch.get_num_threads()))

        thread = threading.Thread(target=run)  # the test process's own thread keeps its setting
        thread.start()
        thread.join()
        return out[0]

    assert in_a_thread(None) == (1, 1)
    assert in_a_thread("2") == (2, 2)


def test_views_refuse_a_model_of_another_kind(tiny_weights: Path, monkeypatch) -> None:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    with pytest.raises(ModelLoadError, match="'cyclegan-lambda10' is a CycleGAN, not a Generator"):
        frontend.walk("cyclegan-lambda10", (0, 1), 4)
    with pytest.raises(ModelLoadError, match="not a CycleGAN"):
        frontend.comparison(["dcgan"], np.zeros((1, 1, 28, 28), np.float32), None)
