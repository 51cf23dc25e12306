"""How real a digit looks to a GAN's discriminator: its score, what the score means for its loss, where it sees
"fake", and what it would change to make the digit look real (the app's discriminator's-view page).

Each discriminator is read through one number that grows with realness (:func:`realness`):

- a GAN's or DCGAN's discriminator: its logit, since D(x) = σ(logit) is the probability that x is real;
- WGAN's critic: its score f(x) (only differences between scores mean something);
- OT-GAN's critic: minus the mean cosine cost 1 − cos(v(x), v(r)) from x to a batch of real digits r in its
  feature space. With a single image on one side, the transport plan sends x's mass evenly to every real digit,
  so this cost *is* the Sinkhorn distance from {x} to the real batch.

The saliency map is the gradient of that number with respect to the pixels; "make it more real" follows it for a
few steps (normalised gradient ascent on the image), and the zoo's classifier reads every frame, to see whether
the discriminator's idea of "real" keeps the digit. Gradients flow into the image only (``torch.autograd.grad``):
the shared models are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from .data import to_unit
from .metrics import Reading, read_digits
from .models import Discriminator
from .ot import cosine_cost

LABELS = {"logit": "D(x)", "critic": "critic f(x)", "embedding": "1 − cos to the real batch"}


class Judge:
    """A discriminator and its context: the real digits its score is read against (OT-GAN's critic compares with
    them; for the others they only say what a typical real digit scores) and its own generator's samples.

    Built once per discriminator (the reference readings are computed here) and never changed after: a page may
    share one between sessions.
    """

    def __init__(self, discriminator: Discriminator, real: torch.Tensor, generated: torch.Tensor):
        self.discriminator = discriminator.eval()
        self.output = discriminator.output
        with torch.no_grad():
            self.real_features = discriminator(real) if self.output == "embedding" else None
            self.on_real = float(self.value(self.realness(real)).mean())
            self.on_generated = float(self.value(self.realness(generated)).mean())

    def realness(self, x: torch.Tensor) -> torch.Tensor:
        """One number per image, higher for more real (see the module docstring); differentiable in x."""
        out = self.discriminator(x)
        if self.output == "embedding":
            return -cosine_cost(out, self.real_features).mean(1)
        return out.reshape(len(x))

    def value(self, realness: torch.Tensor) -> torch.Tensor:
        """What the objective itself reads: D(x) as a probability, the critic's score, or the cosine cost."""
        if self.output == "logit":
            return torch.sigmoid(realness)
        return -realness if self.output == "embedding" else realness

    @property
    def label(self) -> str:
        return LABELS[self.output]


@dataclass(frozen=True)
class Verdict:
    """A discriminator's reading of one image, in context."""

    label: str  # what the value is: "D(x)", "critic f(x)", "1 − cos to the real batch"
    value: float
    real: float  # the same reading, averaged over real test digits
    generated: float  # …and over its own generator's samples
    meaning: str  # what the value says, in the terms of this GAN's loss


def verdict(judge: Judge, x: torch.Tensor) -> Verdict:
    """The judge's value for the image ``x`` (1×1×28×28), beside its averages on real and generated digits."""
    with torch.no_grad():
        value = float(judge.value(judge.realness(x)).mean())
    on_real, on_fake = judge.on_real, judge.on_generated
    side = "real digits" if abs(value - on_real) <= abs(value - on_fake) else "its generator's samples"
    if judge.output == "logit":
        meaning = (
            f"D thinks this digit is real with probability {100 * value:.0f} %. Its loss on it, if it came from the "
            f"data, is −log D(x) = {-np.log(max(value, 1e-12)):.2f}; the generator, had it drawn it, would get the "
            f"same −log D(x) as its loss (the non-saturating objective)."
        )
    elif judge.output == "critic":
        meaning = (
            f"An unbounded score, higher for more real; alone it means nothing, only differences do (the mean gap "
            f"between real and generated digits, {on_real - on_fake:.3g}, is the critic's estimate of the "
            f"Wasserstein-1 distance). This digit scores closer to {side}."
        )
    else:
        meaning = (
            "OT-GAN's critic gives no score, only features: this is the mean transport cost from the digit to a "
            f"batch of real digits in its feature space (the Sinkhorn distance from it to them), lower for more real. "
            f"It sits closer to {side}."
        )
    return Verdict(judge.label, value, on_real, on_fake, meaning)


def saliency(judge: Judge, x: torch.Tensor) -> torch.Tensor:
    """∂ realness / ∂ pixels for one image (1×1×28×28): positive where more ink would look more real."""
    with torch.enable_grad():
        x = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(judge.realness(x).sum(), x)
    return grad


def saliency_picture(x: torch.Tensor, grad: torch.Tensor, scale: int = 4) -> Image.Image:
    """The digit in grey with the gradient over it: red where its ink looks fake (less ink would look more real),
    blue where ink is missing (more ink would look more real); brighter is stronger."""
    g = grad.detach().float().cpu().reshape(28, 28).numpy()
    g = g / max(float(np.abs(g).max()), 1e-12)
    base = to_unit(x.detach().float().cpu()).reshape(28, 28).numpy() * 0.45
    rgb = np.stack([base, base, base], axis=-1)
    red, blue = np.clip(-g, 0, 1)[..., None], np.clip(g, 0, 1)[..., None]
    rgb = rgb * (1 - red - blue) + red * np.array([1.0, 0.15, 0.1]) + blue * np.array([0.2, 0.55, 1.0])
    picture = Image.fromarray((np.clip(rgb, 0, 1) * 255).round().astype(np.uint8), "RGB")
    return picture.resize((28 * scale, 28 * scale), Image.NEAREST)


@dataclass(frozen=True)
class Ascent:
    """Frames of "make it more real": the image after 0, 1, … steps, the judge's value and the reading of each."""

    frames: torch.Tensor  # (steps + 1)×1×28×28 in [-1, 1]
    values: list[float]
    readings: list[Reading] | None


def make_more_real(
    judge: Judge, x: torch.Tensor, steps: int = 8, step_size: float = 0.2, reader: torch.nn.Module | None = None
) -> Ascent:
    """Gradient ascent on the image toward what the judge calls real: each step moves the pixel with the largest
    gradient by ``step_size`` (of the [-1, 1] range) and the others in proportion, then clamps to [-1, 1]."""
    frames = [x.detach().float().cpu()]
    for _ in range(steps):
        grad = saliency(judge, frames[-1])
        frames.append((frames[-1] + step_size * grad / grad.abs().max().clamp_min(1e-12)).clamp(-1, 1))
    batch = torch.cat(frames)
    with torch.no_grad():
        values = [float(v) for v in judge.value(judge.realness(batch))]
    return Ascent(batch, values, read_digits(reader, batch) if reader is not None else None)
