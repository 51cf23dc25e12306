"""Optimal transport between a batch of real and a batch of generated digits, made visible (the app's transport
page): the cost matrix, the entropic transport plan at any ε, who is matched with whom, and the resulting
Sinkhorn and mini-batch energy distances, all computed by ``zoo.ot``, the code OT-GAN trains with.

Costs are OT-GAN's cosine cost 1 − cos(u, v) between L2-normalised vectors, in one of two spaces:

- ``"pixels"``: each digit's ink (pixels mapped to [0, 1]) flattened, so blank background does not count as
  similarity; two digits cost little when their strokes overlap;
- ``"critic"``: OT-GAN's trained critic's features v(x), the learned cost the generator was trained against.

Large ε blurs the plan towards uniform (every real digit spreads its mass over all generated ones); small ε
sharpens it into a one-to-one matching (an assignment), at the price of more Sinkhorn iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from .data import to_unit
from .images import to_uint8
from .models import Discriminator
from .ot import cosine_cost, minibatch_energy_distance, sinkhorn_plan

SPACES = ("pixels", "critic")
EPSILONS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
ITERATIONS = 500  # the OT-GAN paper's count (and zoo.ot's default)


def embed(images: torch.Tensor, critic: Discriminator | None = None) -> torch.Tensor:
    """The vectors the cost compares: the critic's features when given, else the digits' normalised ink."""
    with torch.no_grad():
        if critic is not None:
            return critic(images).float()
        return F.normalize(to_unit(images.float()).flatten(1), dim=1)


@dataclass(frozen=True)
class Transport:
    """The transport between X (real) and Y (generated) at one ε, with the distances OT-GAN's loss is made of."""

    epsilon: float
    cost: torch.Tensor  # n×m, C_ij = 1 − cos(x_i, y_j)
    plan: torch.Tensor  # n×m, rows sum to 1/n and columns to 1/m
    sinkhorn: float  # W(X, Y) = <P, C>
    energy: float  # W(X,Y) + W(X,Y') + W(X',Y) + W(X',Y') − 2 W(X,X') − 2 W(Y,Y'), with X', Y' fresh batches
    sharpness: float  # mean share of each real digit's mass sent to its best match: 1 = one-to-one, 1/m = uniform

    @property
    def matches(self) -> list[int]:
        """For each real digit, the generated one that receives most of its mass."""
        return self.plan.argmax(1).tolist()


def transport(
    real: torch.Tensor,
    generated: torch.Tensor,
    real2: torch.Tensor,
    generated2: torch.Tensor,
    epsilon: float,
    critic: Discriminator | None = None,
    iterations: int = ITERATIONS,
) -> Transport:
    """Costs, plan and distances between ``real`` and ``generated`` (each N×1×28×28); the second pair of batches
    only enters the energy distance, which needs two independent batches of each."""
    vx, vy, vx2, vy2 = (embed(b, critic) for b in (real, generated, real2, generated2))
    cost = cosine_cost(vx, vy)
    plan = sinkhorn_plan(cost, epsilon, iterations)
    energy = minibatch_energy_distance(vx, vx2, vy, vy2, epsilon, iterations)
    return Transport(
        epsilon=epsilon,
        cost=cost,
        plan=plan,
        sinkhorn=float((plan * cost).sum()),
        energy=float(energy),
        sharpness=float((plan.max(1).values * len(plan)).mean()),
    )


def matching_picture(real: torch.Tensor, generated: torch.Tensor, plan: torch.Tensor, scale: int = 2) -> Image.Image:
    """Real digits on top, generated ones below, and a line for each pair (i, j) whose opacity is the share of
    real digit i's mass that the plan sends to generated digit j (faint lines under 2 % are left out)."""
    n, m = plan.shape
    tile, gap, band = 28 * scale, 4 * scale, 60 * scale
    width = max(n, m) * (tile + gap) + gap
    height = 2 * tile + band + 2 * gap
    canvas = Image.new("RGB", (width, height), (24, 24, 28))
    top, bottom = gap, gap + tile + band

    def place(batch: torch.Tensor, y: int) -> list[int]:
        count = len(batch)
        offset = (width - count * (tile + gap) + gap) // 2
        xs = [offset + k * (tile + gap) for k in range(count)]
        for x, pixels in zip(xs, to_uint8(batch), strict=True):
            digit = Image.fromarray(pixels).resize((tile, tile), Image.NEAREST).convert("RGB")
            canvas.paste(digit, (x, y))
        return [x + tile // 2 for x in xs]

    real_x, gen_x = place(real, top), place(generated, bottom)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    share = (plan * n).clamp(0, 1).cpu().numpy()  # each row's mass, as a share of the digit's 1/n
    for i, j in zip(*np.nonzero(share >= 0.02), strict=True):
        alpha = int(40 + 215 * share[i, j])
        draw.line([(real_x[i], top + tile + 2), (gen_x[j], bottom - 2)], fill=(255, 190, 60, alpha), width=scale)
    return Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB")
