"""Measures of generators and translators: pure functions over tensors, shared by the evaluator and the app.

Generators are judged through a digit classifier trained on MNIST (``weights/classifier-mnist``): Fréchet
distance in its penultimate feature space (the digit analogue of FID), its Inception Score, the class
histogram of the samples (mode coverage), the share of confidently classified samples, and the distance of
samples to their nearest training image (memorisation). Translators are judged by whether a classifier of the
target domain still reads the source label (label preservation), by the pixel-level domain-adaptation
protocol of CyCADA/UNIT (run by ``zoo.evaluate``), by cycle reconstruction error and by the Fréchet distance to
the target domain, and by which digits flip (the confusion matrix).

``predict`` is the one way to read a classifier, in batches and in eval mode: the figures, the app's readings
(``read_digits``) and the live trade-off all go through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@torch.no_grad()
def predict(classifier: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class probabilities N×10 (eval mode)."""
    classifier.eval()
    return torch.cat([classifier(x[i : i + batch_size]).softmax(1) for i in range(0, len(x), batch_size)])


@dataclass(frozen=True)
class Reading:
    """What a classifier reads in one image, and how sure it is."""

    digit: int
    confidence: float

    def __str__(self) -> str:
        return f"{self.digit} ({100 * self.confidence:.0f} %)"


def read_digits(classifier: nn.Module, images: torch.Tensor) -> list[Reading]:
    """The most likely digit of each image and its probability (``predict``, one Reading per image)."""
    confidence, digit = predict(classifier, images).max(1)
    return [Reading(int(d), float(c)) for d, c in zip(digit, confidence, strict=True)]


@torch.no_grad()
def features(classifier: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Penultimate-layer features N×d (eval mode)."""
    classifier.eval()
    return torch.cat([classifier.features(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def accuracy(classifier: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return (predict(classifier, x).argmax(1) == y).float().mean().item()


def confusion(classifier: nn.Module, x: torch.Tensor, y: torch.Tensor, classes: int = 10) -> torch.Tensor:
    """Counts classes×classes: row d, column r counts the images labelled d that the classifier reads as r.

    For a translator this shows which digits it turns into which (CycleGAN's label flips), not just how many.
    """
    read = predict(classifier, x).argmax(1).cpu()
    return torch.bincount(y.long().cpu() * classes + read, minlength=classes * classes).view(classes, classes)


def share_kept(confusion: torch.Tensor) -> float:
    """Label preservation from a confusion matrix: the share of images read as their own label (the diagonal)."""
    return float(confusion.diagonal().sum() / confusion.sum())


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


def frechet_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """‖μa − μb‖² + Tr(Σa + Σb − 2 (Σa Σb)^½) between Gaussians fitted to two feature sets (N×d, M×d)."""
    a64, b64 = a.double().cpu().numpy(), b.double().cpu().numpy()
    mu_a, mu_b = a64.mean(0), b64.mean(0)
    cov_a, cov_b = np.cov(a64, rowvar=False), np.cov(b64, rowvar=False)
    # Tr((Σa Σb)^½) = Σ √λ(√Σa Σb √Σa): symmetric, so eigvalsh is stable where sqrtm of a product is not
    w, v = np.linalg.eigh(cov_a)
    sqrt_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    eig = np.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a)
    trace_sqrt = np.sqrt(np.clip(eig, 0, None)).sum()
    value = float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt)
    return max(value, 0.0)


def inception_score(probs: torch.Tensor, eps: float = 1e-12) -> float:
    """exp E_x KL(p(y|x) ‖ p(y)): 1 for one constant prediction, 10 for confident, evenly spread classes."""
    p = probs.double()
    marginal = p.mean(0, keepdim=True)
    kl = (p * (torch.log(p + eps) - torch.log(marginal + eps))).sum(1)
    return float(torch.exp(kl.mean()))


def class_histogram(probs: torch.Tensor) -> torch.Tensor:
    """Share of samples whose most likely class is each digit (sums to 1)."""
    return torch.bincount(probs.argmax(1), minlength=probs.shape[1]).double() / len(probs)


def coverage(hist: torch.Tensor) -> dict[str, float]:
    """How far the class histogram is from uniform; mode collapse shows as a large distance."""
    k = len(hist)
    return {
        "tv_to_uniform": float(0.5 * (hist - 1 / k).abs().sum()),
        "min_class_share": float(hist.min()),
        "max_class_share": float(hist.max()),
        "classes_covered": int((hist > 0.1 / k).sum()),
    }


def confident_share(probs: torch.Tensor, threshold: float = 0.9) -> float:
    """Share of samples the classifier reads as one digit with probability ≥ threshold."""
    return float((probs.max(1).values >= threshold).double().mean())


@torch.no_grad()
def nearest(x: torch.Tensor, reference: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """For each image in ``x``: the Euclidean pixel distance to its nearest image in ``reference``, and its index."""
    ref = reference.flatten(1).float()
    ref_sq = torch.linalg.vector_norm(ref, dim=1).square()  # one pass: ref**2 would allocate a copy of ref
    distances, indices = [], []
    for i in range(0, len(x), batch_size):
        q = x[i : i + batch_size].flatten(1).float()
        d2, idx = ((q**2).sum(1, keepdim=True) - 2 * q @ ref.T + ref_sq).min(1)
        distances.append(d2.clamp_min(0).sqrt())
        indices.append(idx)
    return torch.cat(distances), torch.cat(indices)


@torch.no_grad()
def nearest_training_digits(samples: torch.Tensor, train: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each sample, its nearest training image (pixel L2) and the distance to it, to show beside it.

    A generator that memorises shows neighbours that are near-copies at distances well below those of unseen
    real digits (the ``nn_distance_median_test`` reference of metrics.json).
    """
    _, idx = nearest(samples, train)
    neighbours = train[idx]
    return neighbours, (samples - neighbours).flatten(1).norm(dim=1)


def memorisation(samples: torch.Tensor, train: torch.Tensor, test: torch.Tensor) -> dict[str, float]:
    """Samples' distance to the nearest training image, against held-out test images' distance to it.

    A generator that copies its training set has samples far closer to it than unseen real digits are:
    ``copy_share`` counts samples closer than the 1st percentile of the test images' distances (≈ 0.01 for a
    generator that does not copy), ``distance_ratio`` compares the medians (≈ 1 or above when not copying).
    """
    d_samples, _ = nearest(samples, train)
    d_test, _ = nearest(test, train)
    threshold = torch.quantile(d_test, 0.01)
    return {
        "nn_distance_median": float(d_samples.median()),
        "nn_distance_median_test": float(d_test.median()),
        "distance_ratio": float(d_samples.median() / d_test.median()),
        "copy_share": float((d_samples < threshold).double().mean()),
    }


def sample_set_metrics(
    images: torch.Tensor,
    classifier: nn.Module,
    test_features: torch.Tensor,
    train: torch.Tensor,
    test: torch.Tensor,
    memorisation_n: int = 1000,
    frechet_features: torch.Tensor | None = None,
) -> dict[str, object]:
    """Every unconditional-generation figure for one set of images (generated, or real as the reference).

    ``test_features`` are the classifier's features of the set compared against; ``frechet_features``, when
    given, stand for the images' own in the Fréchet distance (the real-data reference row measures training
    digits there, since its images are that test set). Memorisation compares the first ``memorisation_n``
    images with as many images of ``test``, both against ``train``.
    """
    probs = predict(classifier, images)
    hist = class_histogram(probs)
    own = features(classifier, images) if frechet_features is None else frechet_features
    return {
        "frechet_distance": frechet_distance(own, test_features),
        "inception_score": inception_score(probs),
        "class_histogram": [round(float(h), 4) for h in hist],
        **coverage(hist),
        "confident_share": confident_share(probs),
        **memorisation(images[:memorisation_n], train, test[:memorisation_n]),
    }


# --- translation -------------------------------------------------------------------------------------------


@torch.no_grad()
def translate(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Apply a translator in batches (keeps memory flat on 60,000 images)."""
    return torch.cat([fn(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def cycle_error(x: torch.Tensor, reconstruction: torch.Tensor) -> float:
    """Mean absolute pixel error of a cycle reconstruction F(G(x)) against x, in the [-1, 1] scale."""
    return float((reconstruction - x).abs().mean())
