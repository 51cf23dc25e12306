"""Measures of generators and translators: pure functions over tensors, shared by the evaluator and the app.

Generators are judged through a digit classifier trained on MNIST (``weights/classifier-mnist``): Fréchet
distance in its penultimate feature space (the digit analogue of FID), its Inception Score, the class
histogram of the samples (mode coverage), the share of confidently classified samples, and the distance of
samples to their nearest training image (memorisation). Translators are judged by whether a classifier of the
target domain still reads the source label (label preservation), by the pixel-level domain-adaptation
protocol of CyCADA/UNIT, by cycle reconstruction error and by the Fréchet distance to the target domain.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import random_affine


@torch.no_grad()
def predict(classifier: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class probabilities N×10 (eval mode)."""
    classifier.eval()
    return torch.cat([classifier(x[i : i + batch_size]).softmax(1) for i in range(0, len(x), batch_size)])


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
    ref_sq = (ref**2).sum(1)
    distances, indices = [], []
    for i in range(0, len(x), batch_size):
        q = x[i : i + batch_size].flatten(1).float()
        d2, idx = ((q**2).sum(1, keepdim=True) - 2 * q @ ref.T + ref_sq).min(1)
        distances.append(d2.clamp_min(0).sqrt())
        indices.append(idx)
    return torch.cat(distances), torch.cat(indices)


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
) -> dict[str, object]:
    """Every unconditional-generation figure for one set of images (generated, or real as the reference)."""
    probs = predict(classifier, images)
    hist = class_histogram(probs)
    return {
        "frechet_distance": frechet_distance(features(classifier, images), test_features),
        "inception_score": inception_score(probs),
        "class_histogram": [round(float(h), 4) for h in hist],
        **coverage(hist),
        "confident_share": confident_share(probs),
        **memorisation(images[:memorisation_n], train, test[:memorisation_n]),
    }


# --- translation -------------------------------------------------------------------------------------------


@torch.no_grad()
def translate(fn, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Apply a translator in batches (keeps memory flat on 60,000 images)."""
    return torch.cat([fn(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def cycle_error(x: torch.Tensor, reconstruction: torch.Tensor) -> float:
    """Mean absolute pixel error of a cycle reconstruction F(G(x)) against x, in the [-1, 1] scale."""
    return float((reconstruction - x).abs().mean())


def train_classifier(
    x: torch.Tensor, y: torch.Tensor, steps: int = 1000, batch_size: int = 64, seed: int = 0, width: int = 16
) -> nn.Module:
    """A fresh small classifier fitted on (x, y): the domain-adaptation protocol's probe.

    Deliberately fixed (architecture, steps, augmentation, seed) so that only the training images differ
    between the rows it is used for: source only, translated source, and target (the oracle).
    """
    from .models.classifier import DigitClassifier

    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = DigitClassifier(width=width)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    model.train()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for _ in range(steps):
            idx = torch.randint(len(x), (batch_size,), generator=gen)
            loss = F.cross_entropy(model(random_affine(x[idx], generator=gen)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


def adaptation_accuracy(
    train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, test_y: torch.Tensor, steps: int = 1000
) -> float:
    """Accuracy on (test_x, test_y) of a classifier trained on (train_x, train_y) only."""
    return accuracy(train_classifier(train_x, train_y, steps=steps), test_x, test_y)
