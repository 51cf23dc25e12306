"""Batched entropic optimal transport in the log domain (Cuturi 2013; stable for small ε).

Used by OT-GAN's loss, and reusable wherever a transport plan is to be shown. Works on any device and batch
of cost matrices (..., n, m) with uniform marginals.
"""

from __future__ import annotations

import math

import torch


@torch.no_grad()
def sinkhorn_plan(cost: torch.Tensor, epsilon: float = 1 / 500, iterations: int = 500) -> torch.Tensor:
    """Entropic transport plan P for costs (..., n, m): argmin <P, C> − ε H(P) with uniform marginals.

    Iterates on the dual potentials f, g with log-sum-exp, so ε can be far smaller than the costs' range
    without underflow. No gradient flows through the plan: OT-GAN treats it as a constant.
    """
    n, m = cost.shape[-2:]
    c = cost.detach().double() / epsilon
    log_a, log_b = -math.log(n), -math.log(m)
    f = torch.zeros(cost.shape[:-1], dtype=c.dtype, device=c.device)
    g = torch.zeros(cost.shape[:-2] + (m,), dtype=c.dtype, device=c.device)
    for _ in range(iterations):
        f = log_a - torch.logsumexp(g.unsqueeze(-2) - c, dim=-1)
        g = log_b - torch.logsumexp(f.unsqueeze(-1) - c, dim=-2)
    return torch.exp(f.unsqueeze(-1) + g.unsqueeze(-2) - c).to(cost.dtype)


def sinkhorn_distance(cost: torch.Tensor, epsilon: float = 1 / 500, iterations: int = 500) -> torch.Tensor:
    """W_c = <P, C> for each cost matrix in the batch; differentiable in C, with P held constant."""
    plan = sinkhorn_plan(cost, epsilon, iterations)
    return (plan * cost).sum(dim=(-2, -1))
