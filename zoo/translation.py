"""Translating digits with a CycleGAN and reading them with the classifiers, for the app's comparison views.

A translation is shown as a cycle: the source x, its translation, the translation at USPS's native 16×16, and
the reconstruction back in the source domain; each comes with the digit a classifier of its domain reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from . import metrics
from .data import to_16
from .models import CycleGAN, DigitClassifier

DIRECTIONS = ("mnist_to_usps", "usps_to_mnist")


@dataclass(frozen=True)
class Reading:
    """What a classifier reads in one image, and how sure it is."""

    digit: int
    confidence: float

    def __str__(self) -> str:
        return f"{self.digit} ({100 * self.confidence:.0f} %)"


@torch.inference_mode()
def read_digits(classifier: DigitClassifier, images: torch.Tensor) -> list[Reading]:
    probs = classifier(images).softmax(1)
    conf, digit = probs.max(1)
    return [Reading(int(d), float(c)) for d, c in zip(digit, conf, strict=True)]


@dataclass(frozen=True)
class Cycle:
    """x → translated → reconstruction; ``usps_16`` is the USPS-side image at native resolution."""

    direction: str
    source: torch.Tensor
    translated: torch.Tensor
    reconstruction: torch.Tensor
    usps_16: torch.Tensor


@torch.inference_mode()
def cycle(model: CycleGAN, x: torch.Tensor, direction: str = "mnist_to_usps") -> Cycle:
    """Translate a batch (N×1×28×28) one way and back."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    there, back = (
        (model.mnist_to_usps, model.usps_to_mnist)
        if direction == "mnist_to_usps"
        else (model.usps_to_mnist, model.mnist_to_usps)
    )
    y = there(x)
    usps_side = y if direction == "mnist_to_usps" else x
    return Cycle(direction, x, y, back(y), to_16(usps_side))


def compare_lambdas(models: Mapping[str, CycleGAN], x: torch.Tensor) -> list[tuple[str, float, Cycle]]:
    """The same MNIST inputs through every CycleGAN, as (name, λ, cycle) sorted by λ."""
    rows = [(name, float(model.lambda_cycle), cycle(model, x)) for name, model in models.items()]
    return sorted(rows, key=lambda row: row[1])


@torch.inference_mode()
def tradeoff(
    models: Mapping[str, CycleGAN], x: torch.Tensor, y: torch.Tensor, usps_classifier: DigitClassifier
) -> list[dict[str, float]]:
    """Per λ: share of MNIST labels the USPS classifier still reads after G, and the cycle L1 error of F(G(x)).

    The quick, live version of ``zoo.evaluate``'s label_preservation_mnist_to_usps and cycle_l1_mnist.
    """
    rows = []
    for name, model in models.items():
        translated = metrics.translate(model.mnist_to_usps, x)
        counts = metrics.confusion(usps_classifier, translated, y)
        rows.append(
            {
                "name": name,
                "lambda_cycle": float(model.lambda_cycle),
                "label_preservation_mnist_to_usps": metrics.share_kept(counts),
                "cycle_l1_mnist": metrics.cycle_error(x, metrics.translate(model.usps_to_mnist, translated)),
                "confusion_mnist_to_usps": counts.tolist(),
            }
        )
    return sorted(rows, key=lambda row: row["lambda_cycle"])


@dataclass(frozen=True)
class Flip:
    """Images of ``digit`` that a translator turned into something read as ``read_as``; ``share`` of that digit."""

    digit: int
    read_as: int
    share: float

    def __str__(self) -> str:
        return f"{self.digit}→{self.read_as} ({100 * self.share:.0f} %)"


def label_flips(confusion: Sequence[Sequence[int]], top: int = 3, min_share: float = 0.05) -> list[Flip]:
    """The largest off-diagonal cells of a confusion matrix, as shares of their row; below ``min_share`` dropped.

    CycleGAN's failures are rarely noise: a translator tends to map a whole class onto another (7 → 9), which a
    single label-preservation figure hides.
    """
    counts = torch.as_tensor(confusion, dtype=torch.float64)
    shares = counts / counts.sum(1, keepdim=True).clamp(min=1)
    shares.fill_diagonal_(0)
    values, index = shares.flatten().sort(descending=True)
    n = len(counts)
    flips = [Flip(int(i) // n, int(i) % n, float(v)) for v, i in zip(values[:top], index[:top], strict=True)]
    return [f for f in flips if f.share >= min_share]


def pick_examples(labels: torch.Tensor, digits: Sequence[int], seed: int = 0) -> list[int]:
    """One index per requested digit (in that order), chosen at random by seed; digits absent are skipped."""
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    shuffled = labels[order]
    picks = []
    for d in digits:
        hits = torch.nonzero(shuffled == int(d)).flatten()
        if len(hits):
            picks.append(int(order[hits[0]]))
    return picks


def random_examples(n: int, total: int, seed: int = 0) -> list[int]:
    """n distinct indices out of ``total``, reproducible by seed."""
    return torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:n].tolist()
