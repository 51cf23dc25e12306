"""CycleGAN (Zhu et al. 2017) for unpaired MNIST ↔ USPS translation at 28×28.

Follows the reference implementation (junyanz/pytorch-CycleGAN-and-pix2pix) scaled to digits: ResNet
generators (c7s1-w, two stride-2 downsamplings, residual blocks, two upsamplings, c7s1-1, reflection padding,
instance norm, tanh) and PatchGAN discriminators whose 5×5 output scores overlapping patches.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import ZooModel, init_weights


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            nn.InstanceNorm2d(channels),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            nn.InstanceNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    """28×28 → residual trunk at 28/2^n_down (n_down = 2: (4·width)×7×7) → 28×28, output in [-1, 1].

    Fewer downsamplings keep the trunk's edits local: enough to restyle strokes and rescale a digit, less room
    to redraw it as another digit.
    """

    def __init__(self, width: int = 16, n_blocks: int = 4, n_down: int = 2):
        super().__init__()
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(1, width, 7),
            nn.InstanceNorm2d(width),
            nn.ReLU(True),
        ]
        mults = [2**i for i in range(n_down)]
        for mult in mults:
            layers += [
                nn.Conv2d(width * mult, width * mult * 2, 3, stride=2, padding=1),
                nn.InstanceNorm2d(width * mult * 2),
                nn.ReLU(True),
            ]
        layers += [ResidualBlock(width * 2**n_down) for _ in range(n_blocks)]
        for mult in reversed([2 * m for m in mults]):
            layers += [
                nn.ConvTranspose2d(width * mult, width * mult // 2, 3, stride=2, padding=1, output_padding=1),
                nn.InstanceNorm2d(width * mult // 2),
                nn.ReLU(True),
            ]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, 1, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """PatchGAN scaled to 28×28: a map of real/fake scores, each judging one patch of the image.

    The reference's 70×70 patches on 256×256 images see about a quarter of the width. ``strided`` stride-2
    layers set the patch: 1 gives 12×12 patches (stroke style, not the digit's identity), 2 gives 26×26.

    ``classes`` > 0 makes it class-conditional by projection (Miyato & Koyama 2018): each patch's score gains the
    inner product of a learnt class embedding with that patch's features, so it judges "a real USPS 5" rather
    than "a real USPS digit", and a translator cannot pass off an MNIST-shaped 5 because USPS digits in general
    look so. Called then with one class per image.
    """

    def __init__(self, width: int = 32, strided: int = 2, classes: int = 0):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        channels = width
        for _ in range(strided - 1):
            layers += [
                nn.Conv2d(channels, 2 * channels, 4, 2, 1),
                nn.InstanceNorm2d(2 * channels),
                nn.LeakyReLU(0.2, True),
            ]
            channels *= 2
        layers += [
            nn.Conv2d(channels, 2 * channels, 3, 1, 1),
            nn.InstanceNorm2d(2 * channels),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * channels, 1, 3, 1, 0 if strided > 1 else 1),
        ]
        self.net = nn.Sequential(*layers)
        self.embed = nn.Embedding(classes, 2 * channels) if classes else None
        self.apply(init_weights)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Patch scores, N×1×h×w; ``labels`` (N classes) are read only by a class-conditional discriminator."""
        if self.embed is None:
            return self.net(x)
        if labels is None:
            raise ValueError("a class-conditional discriminator needs the images' classes")
        features = self.net[:-1](x)
        scores = self.net[-1](features)
        projection = (self.embed(labels)[:, :, None, None] * features).sum(1, keepdim=True)
        crop = (projection.shape[-1] - scores.shape[-1]) // 2  # the last convolution's border, when unpadded
        return scores + projection[..., crop : projection.shape[-2] - crop, crop : projection.shape[-1] - crop]


class CycleGAN(ZooModel):
    """The two translators: G (MNIST → USPS style) and F (USPS → MNIST style); discriminators stay in training."""

    arch = "cyclegan"
    kind = "translator"
    objective_fields = (
        "lambda_cycle",
        "lambda_identity",
        "semantic_weight",
        "semantic_classifier",
        "semantic_augment",
        "semantic_pseudo",
        "semantic_frame",
        "d_conditional",
    )

    def __init__(
        self,
        width: int = 16,
        n_blocks: int = 4,
        lambda_cycle: float = 10.0,
        n_down: int = 2,
        lambda_identity: float | None = 0.0,
        semantic_weight: float = 0.0,
        semantic_classifier: str | list[str] | None = None,
        semantic_augment: bool = False,
        semantic_pseudo: str = "as-is",
        semantic_frame: str = "as-is",
        d_conditional: bool = False,
    ):
        super().__init__()
        # The training objective is recorded in config.json so that a folder says what made it; the
        # networks do not use these (a config without lambda_identity predates it: the reference 0.5·λ then)
        self.lambda_cycle = lambda_cycle
        self.lambda_identity = lambda_identity
        self.semantic_weight = semantic_weight
        self.semantic_classifier = semantic_classifier
        self.semantic_augment = semantic_augment
        self.semantic_pseudo = semantic_pseudo
        self.semantic_frame = semantic_frame
        self.d_conditional = d_conditional
        self.g_mnist_to_usps = ResnetGenerator(width, n_blocks, n_down)
        self.f_usps_to_mnist = ResnetGenerator(width, n_blocks, n_down)
        self.apply(init_weights)

    @torch.no_grad()
    def mnist_to_usps(self, x: torch.Tensor) -> torch.Tensor:
        """G: N×1×28×28 MNIST-style in [-1, 1] → USPS style, same shape."""
        return self.g_mnist_to_usps(x.to(self.device))

    @torch.no_grad()
    def usps_to_mnist(self, x: torch.Tensor) -> torch.Tensor:
        """F: N×1×28×28 USPS-style (upsampled) in [-1, 1] → MNIST style."""
        return self.f_usps_to_mnist(x.to(self.device))
