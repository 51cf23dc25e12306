"""What the shipped models promise a user of the Draw page, checked on the shipped weights themselves.

The issue that made the semantic translator the default started from a drawn 7 that came back from the default
translator as a 9. These tests draw 7s the way the canvas does (white strokes on black, 280×280, a top bar then a
diagonal; some with a serif, some crossed), prepare them as the page does and read the default translator's G(x)
with the USPS classifier. They skip when the weights are not in this checkout.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

import zoo
from zoo import catalog
from zoo.folder import is_model_folder, local
from zoo.images import preprocess_sketch
from zoo.translation import read_digits

REPO_WEIGHTS = Path(__file__).resolve().parent.parent / "weights"


@pytest.fixture(autouse=True)
def shipped_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(REPO_WEIGHTS))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)


def drawn_seven(variant: int) -> np.ndarray:
    """A canvas-style 7: its corners move with ``variant``; every third has a serif, every third is crossed."""
    rng = np.random.default_rng(variant)
    jitter = rng.uniform(-15, 15, size=6)
    img = Image.new("L", (280, 280), 0)
    pen = ImageDraw.Draw(img)
    width = int(rng.integers(14, 26))
    corners = [(70 + jitter[0], 50 + jitter[1]), (200 + jitter[2], 50 + jitter[3]), (110 + 2 * jitter[4], 240)]
    if variant % 3 == 1:
        corners = [(corners[0][0], corners[0][1] + 20), *corners]
    pen.line(corners, fill=255, width=width, joint="curve")
    if variant % 3 == 2:
        middle = 150 + jitter[5]
        pen.line([(corners[-1][0] + 40, middle), (corners[-1][0] + 110, middle)], fill=255, width=width)
    return np.asarray(img)


@pytest.fixture(scope="module")
def sevens() -> torch.Tensor:
    return torch.cat([preprocess_sketch(drawn_seven(i)) for i in range(12)])


def shipped(name: str | None) -> zoo.ZooModel:
    if name is None or not is_model_folder(local(name)):
        pytest.skip(f"{name} is not in this checkout's weights/")
    return zoo.load(name, source="local")


def test_the_drawings_are_sevens(sevens: torch.Tensor) -> None:
    readings = read_digits(shipped(catalog.READERS["mnist"]), sevens)
    assert [r.digit for r in readings] == [7] * len(sevens)


def test_the_default_translator_keeps_a_drawn_seven(sevens: torch.Tensor) -> None:
    translator = shipped(catalog.default("translator"))
    with torch.no_grad():
        translated = translator.g_mnist_to_usps(sevens)
    readings = read_digits(shipped(catalog.READERS["usps"]), translated)
    assert [r.digit for r in readings] == [7] * len(sevens), [str(r) for r in readings]
