"""zoo.transport: the plan between a real and a generated batch sharpens as ε falls; its distances and picture."""

from __future__ import annotations

import pytest
import torch

from zoo import transport
from zoo.models import OTGANCritic
from zoo.ot import minibatch_energy_distance


def strokes(n: int, seed: int) -> torch.Tensor:
    """Digit-like images: a few bars of ink on a blank background, different per image."""
    gen = torch.Generator().manual_seed(seed)
    x = -torch.ones(n, 1, 28, 28)
    for img in x:
        for _ in range(3):
            r, c = torch.randint(4, 22, (2,), generator=gen).tolist()
            img[0, r : r + 3, c : c + 8] = 1
    return x


@pytest.mark.parametrize("space", ["pixels", "critic"])
def test_the_plan_sharpens_as_epsilon_falls(space: str) -> None:
    torch.manual_seed(0)
    critic = OTGANCritic(width=4).eval() if space == "critic" else None
    real, generated, real2, generated2 = (strokes(8, s) for s in range(4))
    sharpness = []
    for eps in (1.0, 0.05, 0.002):
        t = transport.transport(real, generated, real2, generated2, eps, critic)
        assert t.plan.shape == (8, 8) and torch.allclose(t.plan.sum(1), torch.full((8,), 1 / 8), atol=1e-3)
        assert t.sinkhorn == pytest.approx(float((t.plan * t.cost).sum()))
        assert t.cost.min() >= 0 and t.cost.max() <= 2 + 1e-6
        sharpness.append(t.sharpness)
    assert sharpness[0] < 0.2 and sharpness[0] < sharpness[1] < sharpness[2]  # uniform (1/8) → one-to-one
    if space == "pixels":  # an untrained critic's costs lie too close together for a sharp plan at this ε
        assert sharpness[2] > 0.9 and sorted(t.matches) == list(range(8))  # a permutation


def test_identical_batches_transport_for_free_and_the_energy_is_otgans_loss() -> None:
    real = strokes(8, 0)
    t = transport.transport(real, real, real, real, 0.002)
    assert t.sinkhorn < 1e-3 and t.matches == list(range(8)) and abs(t.energy) < 1e-2
    a, b, c, d = (strokes(8, s) for s in range(4))
    t = transport.transport(a, b, c, d, 0.01)
    expected = minibatch_energy_distance(*(transport.embed(x) for x in (a, c, b, d)), 0.01, transport.ITERATIONS)
    assert t.energy == pytest.approx(float(expected))


def test_the_matching_picture_draws_both_rows() -> None:
    real, generated = strokes(6, 0), strokes(6, 1)
    t = transport.transport(real, generated, real, generated, 0.002)
    picture = transport.matching_picture(real, generated, t.plan, scale=2)
    assert picture.mode == "RGB" and picture.width == 6 * (56 + 8) + 8
    assert picture.getpixel((picture.width // 2, picture.height // 2)) != (24, 24, 28)  # lines cross the middle
