"""GAN Zoo: classic GANs on handwritten digits, loadable in one line.

    import zoo
    g = zoo.load("dcgan")           # eval mode, CPU
    images = g.sample(16, seed=0)   # 16×1×28×28 in [-1, 1]

Conventions, everywhere in the package: images are float tensors N×1×28×28 in [-1, 1] (USPS is upsampled
from 16×16); latents z are N×latent_dim drawn from N(0, I); classifiers return N×10 logits. Generators have
``latent_dim``, ``sample(n, seed)`` and ``decode(z)``; a CycleGAN has ``mnist_to_usps(x)`` and
``usps_to_mnist(x)``. ``zoo.data.to_unit`` maps images to [0, 1] for display.

Every model is a folder (``zoo.folder``: config.json + model.safetensors + card, metrics, training record); the
shipped ones are found in ``$GAN_ZOO_WEIGHTS``, else in the installed package, else in the checkout's weights/.
"""

from typing import TYPE_CHECKING, Any

from .folder import list_models
from .models import (
    ARCHITECTURES,
    BasicGenerator,
    CycleGAN,
    DCGANGenerator,
    DigitClassifier,
    Generator,
    ModelLoadError,
    OTGANGenerator,
    WGANGenerator,
    ZooModel,
)

__all__ = [
    "ARCHITECTURES",
    "BasicGenerator",
    "CycleGAN",
    "DCGANGenerator",
    "DigitClassifier",
    "Generator",
    "ModelLoadError",
    "OTGANGenerator",
    "WGANGenerator",
    "ZooModel",
    "list_models",
    "load",
]

if TYPE_CHECKING:
    from .hub import load


def __getattr__(name: str) -> Any:
    """``zoo.load`` lives in ``zoo.hub`` (a name may be a Hub model) and is imported on first use, not with the
    package: ``python -m zoo.hub`` then runs that module once, where an eager import made Python warn on every call
    that the module it was about to run had been imported already."""
    if name == "load":
        from .hub import load

        return load
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")
