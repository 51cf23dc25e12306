"""One module per architecture; importing this package registers every class with ``zoo.load``."""

from .base import ARCHITECTURES, Generator, ModelLoadError, ZooModel
from .basic import BasicDiscriminator, BasicGenerator
from .classifier import DigitClassifier
from .cyclegan import CycleGAN, PatchDiscriminator, ResnetGenerator
from .dcgan import DCGANDiscriminator, DCGANGenerator
from .discriminator import Discriminator
from .otgan import OTGANCritic, OTGANGenerator
from .wgan import WGANCritic, WGANGenerator

__all__ = [
    "ARCHITECTURES",
    "BasicDiscriminator",
    "BasicGenerator",
    "CycleGAN",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "DigitClassifier",
    "Discriminator",
    "Generator",
    "ModelLoadError",
    "OTGANCritic",
    "OTGANGenerator",
    "PatchDiscriminator",
    "ResnetGenerator",
    "WGANCritic",
    "WGANGenerator",
    "ZooModel",
]
