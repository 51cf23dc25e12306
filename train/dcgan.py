"""Train DCGAN (Radford et al. 2016) on MNIST.

Same game as the baseline GAN (train/basic.py), with the paper's convolutional networks and settings:
Adam lr 2e-4, β1 0.5, weights N(0, 0.02), batch 128.

    python -m train.dcgan --out runs/dcgan --steps 10000
"""

from __future__ import annotations

import argparse
from pathlib import Path

from train.basic import gan_recipe
from train.common import add_gan_arguments
from train.loop import Recipe, Runtime, main, positive_int
from zoo.models import DCGANDiscriminator, DCGANGenerator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = add_gan_arguments(parser, lr=2e-4, ema=0.999)
    g.add_argument("--beta1", type=float, default=0.5, help="Adam β1")
    g.add_argument("--g-width", type=positive_int, default=32, help="generator channels (×8, ×4, ×2)")
    g.add_argument("--g-layers", type=int, choices=[3, 4], default=4, help="generator up-convolutions")
    g.add_argument("--d-width", type=positive_int, default=64, help="discriminator channels (×1, ×2)")


def build(args: argparse.Namespace, rt: Runtime) -> Recipe:
    return gan_recipe(
        args, rt, DCGANGenerator(args.latent_dim, args.g_width, args.g_layers), DCGANDiscriminator(args.d_width)
    )


DEFAULTS = {"steps": 10000, "batch_size": 128}


def cli(argv: list[str] | None = None) -> Path:
    """``python -m train.dcgan``; returns the exported model folder."""
    return main(__doc__, add_arguments, build, argv, module=__spec__.name, **DEFAULTS)


if __name__ == "__main__":
    cli()
