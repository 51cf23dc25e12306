"""A small CNN digit classifier: the zoo's measuring instrument (accuracy, Fréchet distance, Inception Score)."""

from __future__ import annotations

import torch
from torch import nn

from .base import ZooModel


class DigitClassifier(ZooModel):
    """Two conv blocks and a 128-unit penultimate layer; ``features`` exposes that layer for Fréchet distances."""

    arch = "classifier"
    kind = "classifier"

    def __init__(self, domain: str = "mnist", width: int = 32, feature_dim: int = 128, dropout: float = 0.3):
        super().__init__()
        self.domain = domain
        self.feature_dim = feature_dim

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [
                nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(True),
                nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(True),
                nn.MaxPool2d(2),
            ]

        self.body = nn.Sequential(
            *block(1, width),
            *block(width, 2 * width),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(2 * width * 7 * 7, feature_dim),
            nn.BatchNorm1d(feature_dim),
            nn.ReLU(True),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(feature_dim, 10))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))
