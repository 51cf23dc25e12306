"""Plumbing several trainers share: training data with --limit, fixed preview noise, learning-rate decay, the
top-k schedule."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

import torch

from zoo.data import load_mnist, load_usps

PREVIEW_SEED = 1234


def mnist_train(args: argparse.Namespace) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = load_mnist("train", args.data_dir, args.download)
    return (x[: args.limit], y[: args.limit]) if args.limit else (x, y)


def usps_train(args: argparse.Namespace) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = load_usps("train", args.data_dir, args.download)
    return (x[: args.limit], y[: args.limit]) if args.limit else (x, y)


def fixed_latents(n: int, latent_dim: int, device: torch.device) -> torch.Tensor:
    """The same z at every preview, so that sample grids from different steps compare."""
    return torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(PREVIEW_SEED)).to(device)


def linear_decay(total_steps: int, start: float = 0.5) -> Callable[[int], float]:
    """Learning-rate factor: 1 until ``start`` of training, then linearly down to ~0 at the last step."""
    flat = int(total_steps * start)

    def factor(step: int) -> float:
        return 1.0 - max(0, step - flat) / (total_steps - flat + 1)

    return factor


def decay_schedulers(
    args: argparse.Namespace, optimizers: dict[str, torch.optim.Optimizer]
) -> dict[str, torch.optim.lr_scheduler.LambdaLR]:
    """Linear decay from ``--lr-decay-from`` for each optimiser; none when it is 1 (constant learning rates).

    No scheduler at all (rather than a constant one) keeps checkpoints of constant-rate runs as they were.
    """
    if args.lr_decay_from >= 1:
        return {}
    decay = linear_decay(args.steps, args.lr_decay_from)
    return {name: torch.optim.lr_scheduler.LambdaLR(opt, decay) for name, opt in optimizers.items()}


def top_k_schedule(args: argparse.Namespace, n_images: int) -> Callable[[int], float]:
    """The fraction of each generated batch that G learns from at step ``i`` under top-k training.

    Sinha et al. (2020): the samples D scores as least real push G's update the wrong way (a sample between two
    modes is pulled away from both), so G's loss keeps only the best ``k`` of its batch, with ``k`` annealed from
    the whole batch by ``--top-k-decay`` per epoch (of this process's batches) down to ``--top-k-min``.
    """
    steps_per_epoch = n_images / args.batch_size

    def fraction(step: int) -> float:
        if args.top_k_decay >= 1:
            return 1.0
        return max(args.top_k_min, args.top_k_decay ** (step / steps_per_epoch))

    return fraction


def most_real(scores: torch.Tensor, fraction: float) -> torch.Tensor:
    """The ``fraction`` of a batch's D scores (logits or critic values) that rate their samples most real: the
    only ones G's loss reads under top-k training. The whole batch, untouched, at 1."""
    if fraction >= 1:
        return scores
    return scores.topk(max(1, math.ceil(fraction * len(scores)))).values
