"""zoo.gallery: the Gallery's pictures (side-by-side sheets, samples beside their nearest training digits) and
the model card as the app shows it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import torch
from PIL import Image

from zoo import frontend, gallery


@pytest.fixture
def weights(tiny_weights: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.setenv("GAN_ZOO_DATA", str(tiny_data))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    return tiny_weights


def size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_sample_sheets_are_one_seed_side_by_side_with_their_headline(weights: Path) -> None:
    sheets = frontend.sample_sheets(["dcgan", "basic-gan"], seed=3)
    assert [(s.name, s.title) for s in sheets] == [("dcgan", "DCGAN"), ("basic-gan", "MLP GAN")]
    side = 2 * (gallery.SHEET_SIDE * 30 + 2)
    assert {size(s.picture) for s in sheets} == {(side, side)} and sheets[0].figures == ""
    assert frontend.sample_sheets(["dcgan"], seed=3)[0].picture == sheets[0].picture  # the seed decides
    assert frontend.sample_sheets(["dcgan"], seed=4)[0].picture != sheets[0].picture
    path = weights / "dcgan" / "metrics.json"
    path.write_text(json.dumps({"metrics": {"frechet_distance": 5.148, "inception_score": 8.18}}))
    try:
        assert gallery.headline("dcgan") == "Fréchet distance 5.15 · Inception Score 8.18"
    finally:
        path.unlink()


def test_samples_and_neighbours_pictures(weights: Path) -> None:
    assert size(frontend.samples("dcgan", 0)) == (2 * (16 * 30 + 2), 2 * (2 * 30 + 2))  # 32 at 2×: 964 pixels
    width, height = size(frontend.neighbours("dcgan", 0))
    assert height > 2 * 84 and width >= gallery.NEIGHBOURS * 84  # samples above their neighbours, at 3×


def test_neighbours_are_the_nearest_training_digits() -> None:
    train = torch.stack([torch.full((1, 28, 28), v) for v in (-1.0, 0.0, 1.0)])

    class Constant(torch.nn.Module):
        latent_dim = 1

        def sample(self, n: int, seed: int = 0) -> torch.Tensor:
            return torch.full((n, 1, 28, 28), 0.1)

    assert size(gallery.neighbours_view(Constant(), 0, train, n=2))[0] >= 2 * 84


def test_card_markdown_drops_the_yaml_header_and_pictures(weights: Path, monkeypatch) -> None:
    card = weights / "dcgan" / "README.md"
    before = card.read_text()
    card.write_text("---\nlicense: mit\n---\n# dcgan\n\nAbout.\n\n## Samples\n\n![samples](samples.png)\n\n## Use\nx\n")
    try:
        assert gallery.card_markdown("dcgan") == "# dcgan\n\nAbout.\n\n## Use\nx"
    finally:
        card.write_text(before)
    assert gallery.card_markdown("no-such-model") is None
    assert gallery.card_url("dcgan") is None
    monkeypatch.setenv("GAN_ZOO_HUB_REPO", "someone/gan-zoo")
    assert gallery.card_url("dcgan") == "https://huggingface.co/someone/gan-zoo/blob/main/dcgan/README.md"
