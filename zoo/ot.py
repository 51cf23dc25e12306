"""Optimal transport for OT-GAN (Salimans et al. 2018), in one place: the loss a reader looks for.

- ``sinkhorn_plan`` / ``sinkhorn_distance``: batched entropic OT in the log domain (Cuturi 2013), stable for the
  small ε the paper uses; any device, any batch of cost matrices (..., n, m), uniform marginals.
- ``cosine_cost``: the learned transport cost 1 − cos(v(x), v(y)) between the critic's L2-normalised embeddings.
- ``minibatch_energy_distance``: OT-GAN's loss from the embeddings of two real and two generated batches,

      L = W(X,Y) + W(X,Y') + W(X',Y) + W(X',Y') − 2 W(X,X') − 2 W(Y,Y'),

  which the generator minimises and the critic maximises. Transport plans are constants for the gradient.
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


def cosine_cost(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Pairwise 1 − cos between L2-normalised embeddings: (..., n, d) × (..., m, d) → (..., n, m), in [0, 2]."""
    return 1.0 - u @ v.transpose(-1, -2)


def minibatch_energy_distance(
    vx: torch.Tensor,
    vx2: torch.Tensor,
    vy: torch.Tensor,
    vy2: torch.Tensor,
    epsilon: float = 1 / 500,
    iterations: int = 500,
) -> torch.Tensor:
    """OT-GAN's loss from the embeddings of X, X' (real) and Y, Y' (generated); all six distances in one batch.

    Keep the embeddings in fp32: log-domain Sinkhorn at ε = 1/500 needs the mantissa, whatever the forward
    passes ran in.
    """
    left = torch.stack([vx, vx, vx2, vx2, vx, vy])
    right = torch.stack([vy, vy2, vy, vy2, vx2, vy2])
    w = sinkhorn_distance(cosine_cost(left, right), epsilon, iterations)
    return w[0] + w[1] + w[2] + w[3] - 2 * w[4] - 2 * w[5]
