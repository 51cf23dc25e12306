"""Measures of generators and translators: pure functions over tensors, shared by the evaluator and the app."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def predict(classifier: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Class probabilities N×10 in eval mode."""
    classifier.eval()
    return torch.cat([classifier(x[i : i + batch_size]).softmax(1) for i in range(0, len(x), batch_size)])


def accuracy(classifier: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return (predict(classifier, x).argmax(1) == y).float().mean().item()
