"""The Gallery's views: every generator's samples side by side, one model's samples beside their nearest training
digits, and a model's card, each rendered once at display size (PNG bytes and text, ready to send and to cache).

The side-by-side sheets use one seed for every generator, so that the pictures compare models and nothing else;
under each, the two headline figures its metrics.json recorded. Pictures come first on the page: a newcomer sees
what each GAN draws before reading how it was measured.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from . import images, plots
from .catalog import title
from .folder import CARD, local, read_metrics, read_training_log
from .hub import HUB_REPO_ENV
from .metrics import nearest_training_digits
from .models import Generator

if TYPE_CHECKING:
    import plotly.graph_objects as go

SHEET_SIDE = 5  # samples a side in the side-by-side sheets: 25 digits per generator, 292 pixels at 2×
SAMPLES = 32  # the model-by-model grid: two rows of 16 at 3×
NEIGHBOURS = 8  # samples shown above their nearest training digits


@dataclass(frozen=True)
class Sheet:
    """One generator's square of samples for the side-by-side view, with its title and headline figures."""

    name: str
    title: str
    picture: bytes  # PNG
    figures: str  # e.g. "Fréchet distance 5.15 · Inception Score 8.18", "" when not measured


def sample_sheets(generators: Mapping[str, Generator], seed: int = 0) -> list[Sheet]:
    """A SHEET_SIDE² grid of samples per generator, all from ``seed``, in the order given."""
    sheets = []
    for name, generator in generators.items():
        with torch.inference_mode():
            batch = generator.sample(SHEET_SIDE**2, seed=seed)
        picture = images.png_bytes(images.grid(batch, nrow=SHEET_SIDE, scale=2))
        sheets.append(Sheet(name, title(name), picture, headline(name)))
    return sheets


def headline(name: str) -> str:
    """The two figures that rank generators, from the folder's metrics.json ("" when it has none)."""
    m = (read_metrics(local(name)) or {}).get("metrics", {})
    if m.get("frechet_distance") is None or m.get("inception_score") is None:
        return ""
    return f"Fréchet distance {m['frechet_distance']:.2f} · Inception Score {m['inception_score']:.2f}"


def samples_view(generator: Generator, seed: int, n: int = SAMPLES, truncation: float | None = None) -> bytes:
    """``n`` samples of ``seed`` as a PNG grid, 16 a row at 2× (964 pixels: a wide page shows it unscaled);
    ``truncation`` draws them with BigGAN's truncation trick (``Generator.latent``)."""
    with torch.inference_mode():
        batch = generator.sample(n, seed=seed, truncation=truncation)
    return images.png_bytes(images.grid(batch, nrow=16, scale=2))


def neighbours_view(generator: Generator, seed: int, train: torch.Tensor, n: int = NEIGHBOURS) -> bytes:
    """The first ``n`` samples of ``seed`` above their nearest MNIST training digits (pixel distance below each),
    as one aligned PNG: a copy would show as a near-identical pair at a small distance."""
    with torch.inference_mode():
        batch = generator.sample(n, seed=seed)
    neighbours, distances = nearest_training_digits(batch, train)
    captions = [[f"sample {i}" for i in range(n)], [f"d = {d:.2f}" for d in distances.tolist()]]
    picture = images.labelled_grid([batch, neighbours], captions, row_titles=("sample", "nearest"), scale=3)
    return images.png_bytes(picture)


def card_markdown(name: str) -> str | None:
    """The model's card (its folder's README.md) as the app shows it: without the Hub's YAML header and without
    pictures (their paths are relative to the folder); None when the folder has no card."""
    try:
        text = (local(name) / CARD).read_text(encoding="utf-8")
    except OSError:
        return None
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"^#+ [^\n]*\n\s*(?=^#|\Z)", "", text, flags=re.MULTILINE)  # a section left empty
    return re.sub(r"\n{3,}", "\n\n", text).strip() or None


def card_url(name: str) -> str | None:
    """Where the model's card is on the Hub, when the apps load from one (``$GAN_ZOO_HUB_REPO``), else None."""
    repo = os.environ.get(HUB_REPO_ENV)
    return f"https://huggingface.co/{repo}/blob/main/{name}/{CARD}" if repo else None


def training_curves(name: str) -> list[go.Figure]:
    """The folder's training log as plotly figures (losses, D's outputs or the critic's estimate, images/s); [] when
    the folder has no log."""
    log = read_training_log(local(name))
    return list(plots.training_curves(log).values()) if log else []
