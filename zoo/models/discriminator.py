"""What a GAN's discriminator or critic is as a model folder: a ``ZooModel`` of kind "discriminator".

Each GAN's discriminator is trained beside its generator and can be saved beside it, as the subfolder
``<generator folder>/discriminator/`` in the same format (config.json + model.safetensors; ``zoo.folder``).
Only the discriminator's-view page loads them; their kind keeps them out of every generator listing.

``output`` says how to read ``forward``, because the three objectives give the number three meanings:

- ``"logit"`` (MLP GAN, DCGAN): σ(logit) = D(x), the probability that x is a real digit;
- ``"critic"`` (WGAN): an unbounded score, higher for more real; only differences mean something
  (E[f(real)] − E[f(fake)] estimates the Wasserstein-1 distance);
- ``"embedding"`` (OT-GAN): an L2-normalised feature vector; images are compared by the cosine cost.
"""

from __future__ import annotations

from .base import ZooModel

OUTPUTS = ("logit", "critic", "embedding")


class Discriminator(ZooModel):
    """Base of the GANs' discriminators and critics; subclasses set ``arch`` and ``output``."""

    kind = "discriminator"
    output: str = "logit"
