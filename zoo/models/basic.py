"""The baseline: Goodfellow et al.'s GAN with multilayer perceptrons (the MLP of the OT-GAN report's baseline)."""

from __future__ import annotations

import torch
from torch import nn

from .base import Generator
from .discriminator import Discriminator

# The 2014 paper's sizes: the classes' defaults, the live page's MLP (the shipped recipe doubles them)
GENERATOR_HIDDEN_2014 = (256, 512, 1024)
DISCRIMINATOR_HIDDEN_2014 = (1024, 512, 256)


class BasicGenerator(Generator):
    """z → ``hidden`` → 784 (by default the 2014 sizes 256, 512, 1024), LeakyReLU(0.2), tanh output."""

    arch = "basic"

    def __init__(self, latent_dim: int = 100, hidden: tuple[int, ...] = GENERATOR_HIDDEN_2014):
        super().__init__()
        self.latent_dim = latent_dim
        layers: list[nn.Module] = []
        width = latent_dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2)]
            width = h
        layers += [nn.Linear(width, 28 * 28), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, 1, 28, 28)


class BasicDiscriminator(Discriminator):
    """784 → ``hidden`` (by default 1024, 512, 256) → 1 logit, LeakyReLU(0.2) and dropout 0.3."""

    arch = "basic-discriminator"
    output = "logit"

    def __init__(self, hidden: tuple[int, ...] = DISCRIMINATOR_HIDDEN_2014, dropout: float = 0.3):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = 28 * 28
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)
