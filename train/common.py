"""Plumbing several trainers share: training data with --limit, fixed preview noise, learning-rate decay."""

from __future__ import annotations

import argparse
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
