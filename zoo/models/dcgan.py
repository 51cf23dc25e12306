"""DCGAN (Radford et al. 2016) scaled to 28×28 digits.

The paper's guidelines: strided convolutions instead of pooling, fractionally-strided ones in the generator,
batch norm everywhere but the generator's output and the discriminator's input, ReLU in G with a tanh output,
LeakyReLU(0.2) in D, weights drawn from N(0, 0.02).
"""

from __future__ import annotations

import torch
from torch import nn

from .base import Generator, init_weights
from .discriminator import Discriminator


class DCGANGenerator(Generator):
    """Fractionally-strided convolutions up to 1×28×28.

    ``layers=4`` (default): z → (8·width)×3×3 → (4·width)×7×7 → (2·width)×14×14 → 1×28×28, the paper's four
    up-convolutions; ``layers=3`` starts at (4·width)×7×7 (the zoo's first, shallower DCGAN).
    """

    arch = "dcgan"

    def __init__(self, latent_dim: int = 100, width: int = 32, layers: int = 4):
        super().__init__()
        if layers not in (3, 4):
            raise ValueError(f"layers must be 3 or 4, got {layers}")
        self.latent_dim = latent_dim
        if layers == 4:
            stem = [
                nn.ConvTranspose2d(latent_dim, 8 * width, 3, 1, 0, bias=False),
                nn.BatchNorm2d(8 * width),
                nn.ReLU(True),
                nn.ConvTranspose2d(8 * width, 4 * width, 3, 2, 0, bias=False),
            ]
        else:
            stem = [nn.ConvTranspose2d(latent_dim, 4 * width, 7, 1, 0, bias=False)]
        self.net = nn.Sequential(
            *stem,
            nn.BatchNorm2d(4 * width),
            nn.ReLU(True),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(True),
            nn.ConvTranspose2d(2 * width, 1, 4, 2, 1),
            nn.Tanh(),
        )
        self.apply(init_weights)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(z.shape[0], self.latent_dim, 1, 1))


class DCGANDiscriminator(Discriminator):
    """Strided convolutions down to one logit; no batch norm on the input layer.

    ``layers=2`` (default): 1×28×28 → width×14×14 → (2·width)×7×7 → one logit, the zoo's first DCGAN
    discriminator. ``layers=3`` adds (4·width)×3×3 before the logit: the depth of the MNIST critic in the WGAN-GP
    reference code (three stride-2 convolutions), for a critic whose capacity weight clipping limits.
    """

    arch = "dcgan-discriminator"
    output = "logit"

    def __init__(self, width: int = 64, batch_norm: bool = True, layers: int = 2):
        super().__init__()
        if layers not in (2, 3):
            raise ValueError(f"layers must be 2 or 3, got {layers}")
        convs = [nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        channels = width
        for _ in range(layers - 1):
            convs += [
                nn.Conv2d(channels, 2 * channels, 4, 2, 1, bias=not batch_norm),
                nn.BatchNorm2d(2 * channels) if batch_norm else nn.Identity(),
                nn.LeakyReLU(0.2, True),
            ]
            channels *= 2
        side = 7 if layers == 2 else 3
        self.net = nn.Sequential(*convs, nn.Conv2d(channels, 1, side, 1, 0))
        self.apply(init_weights)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)
