"""WGAN (Arjovsky et al. 2017): a DCGAN pair where the discriminator becomes a critic.

The critic outputs an unbounded score (no sigmoid); its weights are clipped to [-c, c] after every update so
that it stays K-Lipschitz, and the gap E[D(real)] − E[D(fake)] estimates the Wasserstein-1 distance. The
architecture is the paper's DCGAN one; what changes is the objective and the optimiser (see train/wgan.py).
"""

from __future__ import annotations

import torch

from .dcgan import DCGANDiscriminator, DCGANGenerator


class WGANGenerator(DCGANGenerator):
    arch = "wgan"


class WGANCritic(DCGANDiscriminator):
    """DCGAN's discriminator read as a critic: its output is a score, not a logit."""

    arch = "wgan-critic"
    output = "critic"

    @torch.no_grad()
    def clip_weights(self, clip: float) -> None:
        for p in self.parameters():
            p.clamp_(-clip, clip)

    def weights_within(self, clip: float) -> bool:
        return all(bool((p.abs() <= clip).all()) for p in self.parameters())
