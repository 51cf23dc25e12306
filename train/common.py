"""Small pieces several trainers share: data with --limit, fixed preview noise, Adam with the GAN betas."""

from __future__ import annotations

import argparse

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


def add_gan_arguments(parser: argparse.ArgumentParser, lr: float, ema: float) -> argparse._ArgumentGroup:
    """The arguments every GAN has, in a 'model' group that the caller extends with its own."""
    from train.loop import positive_float, positive_int, unit_float

    g = parser.add_argument_group("model")
    g.add_argument("--latent-dim", type=positive_int, default=100, help="size of z")
    g.add_argument("--lr", type=positive_float, default=lr, help="learning rate (both networks)")
    g.add_argument("--ema", type=unit_float, default=ema, help="generator weight EMA decay (0 = off)")
    return g
