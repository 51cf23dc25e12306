"""OT-GAN (Salimans et al. 2018) scaled to 28×28 digits.

The generator uses gated linear units (GLU) and nearest-neighbour upsampling; the critic uses CReLU and maps
an image to an L2-normalised embedding v(x). The transport cost between two images is 1 − cos(v(x), v(y)), which
lies in [0, 2]. The cost and the loss itself (mini-batch energy distance over Sinkhorn distances) are in
zoo/ot.py.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import Generator
from .discriminator import Discriminator


class OTGANGenerator(Generator):
    """z → Linear+GLU → (4·width)×7×7 → [NN-upsample, 5×5 conv, GLU] ×2 → 5×5 conv → tanh."""

    arch = "otgan"

    def __init__(self, latent_dim: int = 100, width: int = 16):
        super().__init__()
        self.latent_dim = latent_dim
        self.width = width
        self.project = nn.Linear(latent_dim, 2 * 4 * width * 7 * 7)
        self.up1 = nn.Conv2d(4 * width, 2 * 2 * width, 5, padding=2)
        self.up2 = nn.Conv2d(2 * width, 2 * width, 5, padding=2)
        self.out = nn.Conv2d(width, 1, 5, padding=2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.glu(self.project(z), dim=1).view(-1, 4 * self.width, 7, 7)
        h = F.glu(self.up1(F.interpolate(h, scale_factor=2, mode="nearest")), dim=1)
        h = F.glu(self.up2(F.interpolate(h, scale_factor=2, mode="nearest")), dim=1)
        return torch.tanh(self.out(h))


class CReLU(nn.Module):
    """Concatenated ReLU: [relu(x), relu(-x)] keeps both signs and doubles the channels."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([F.relu(x), F.relu(-x)], dim=1)


class OTGANCritic(Discriminator):
    """1×28×28 → CReLU conv stack → flattened, L2-normalised embedding v(x)."""

    arch = "otgan-critic"
    output = "embedding"

    def __init__(self, width: int = 16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 5, 1, 2),
            CReLU(),
            nn.Conv2d(2 * width, 2 * width, 5, 2, 2),
            CReLU(),
            nn.Conv2d(4 * width, 4 * width, 5, 2, 2),
            CReLU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(x).flatten(1), dim=1)
