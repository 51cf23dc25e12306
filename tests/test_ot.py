"""zoo.ot: log-domain Sinkhorn against POT, its stability at small ε, and OT-GAN's energy distance."""

import numpy as np
import pytest
import torch

from zoo.ot import cosine_cost, minibatch_energy_distance, sinkhorn_distance, sinkhorn_plan


@pytest.mark.parametrize(("n", "m", "eps"), [(8, 8, 0.1), (20, 30, 0.05), (16, 12, 0.02)])
def test_matches_pot(n, m, eps):
    ot = pytest.importorskip("ot")
    gen = torch.Generator().manual_seed(n * m)
    costs = torch.rand(3, n, m, generator=gen, dtype=torch.float64)
    ours = sinkhorn_distance(costs, epsilon=eps, iterations=3000)
    for c, value in zip(costs, ours, strict=True):
        ref = ot.sinkhorn2(
            np.full(n, 1 / n), np.full(m, 1 / m), c.numpy(), eps, method="sinkhorn_log", numItermax=20000, stopThr=1e-13
        )
        assert abs(float(value) - float(ref)) < 1e-4


def test_small_epsilon_is_stable_and_sharp():
    # costs in [0, 2] with ε = 1/500: exp(-C/ε) underflows outside the log domain
    x = torch.nn.functional.normalize(torch.randn(32, 8), dim=1)
    cost = 1 - x @ x.T
    plan = sinkhorn_plan(cost, epsilon=1 / 500, iterations=500)
    assert torch.isfinite(plan).all()
    assert torch.allclose(plan.sum(0), torch.full((32,), 1 / 32), atol=1e-4)
    # identical sets: the plan is nearly the identity, so the distance is nearly zero
    assert plan.diagonal().sum() > 0.95
    assert sinkhorn_distance(cost, 1 / 500, 500) < 0.01


def test_gradient_flows_through_cost_not_plan():
    cost = torch.rand(2, 5, 5, requires_grad=True)
    sinkhorn_distance(cost, 0.1, 200).sum().backward()
    plan = sinkhorn_plan(cost, 0.1, 200)
    assert torch.allclose(cost.grad, plan)  # d<P, C>/dC with P constant is P


def test_cosine_cost_of_unit_embeddings_lies_in_0_2():
    u = torch.nn.functional.normalize(torch.randn(2, 5, 8), dim=-1)
    cost = cosine_cost(u, -u)
    assert cost.shape == (2, 5, 5)
    assert torch.allclose(cost.diagonal(dim1=-2, dim2=-1), torch.full((2, 5), 2.0))
    assert cost.min() >= 0 and cost.max() <= 2 + 1e-6


def test_energy_distance_is_near_zero_for_one_distribution_and_grows_apart():
    gen = torch.Generator().manual_seed(0)

    def batch(shift: float) -> torch.Tensor:
        return torch.nn.functional.normalize(torch.randn(64, 8, generator=gen) + shift, dim=1)

    same = minibatch_energy_distance(batch(0), batch(0), batch(0), batch(0), 0.05, 300)
    apart = minibatch_energy_distance(batch(0), batch(0), batch(3), batch(3), 0.05, 300)
    assert abs(float(same)) < 0.1 < float(apart)


def test_energy_distance_is_symmetric_in_real_and_generated():
    """Transport with uniform marginals does not care which side is which: swapping X and Y changes nothing, up to
    Sinkhorn's convergence (iterations start from one side, so a finite run leaves ~1e-5 on some draws)."""
    gen = torch.Generator().manual_seed(0)
    vx, vx2, vy, vy2 = (
        torch.nn.functional.normalize(torch.randn(6, 4, dtype=torch.float64, generator=gen), dim=1) for _ in range(4)
    )
    forward = minibatch_energy_distance(vx, vx2, vy, vy2, 0.1, 1000)
    assert torch.allclose(forward, minibatch_energy_distance(vy, vy2, vx, vx2, 0.1, 1000), atol=1e-4)
    swapped_pairs = minibatch_energy_distance(vx, vy, vx2, vy2, 0.1, 1000)
    assert not torch.allclose(forward, swapped_pairs, atol=1e-4)  # which batches are paired does matter
