"""What the gallery shows about the zoo: measured figures of every model, and whether a generator copies.

Both are read-only views over what exists: metrics.json files written by ``python -m zoo.evaluate`` and the
MNIST training set.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from . import catalog, metrics
from .report import report


def metrics_report(names: Iterable[str]) -> str:
    """Markdown tables (zoo.report) of the models that have a metrics.json, with their reference rows."""
    results, references = {}, {}
    for name in names:
        data = catalog.read_metrics(name)
        if data is None or "kind" not in data["metrics"]:
            continue
        results[name] = data["metrics"]
        references.update(data.get("reference") or {})
    if not results:
        return ""
    try:
        return report(results, references)
    except KeyError:  # a metrics.json from an older evaluator: show what can be shown, not a traceback
        return report({n: m for n, m in results.items() if m["kind"] != "generator"}, references)


@torch.inference_mode()
def nearest_training_digits(samples: torch.Tensor, train: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each sample, its nearest training image (pixel L2) and the distance to it.

    A generator that memorises shows neighbours that are near-copies at distances well below those of unseen
    real digits (the ``nn_distance_median_test`` reference of metrics.json).
    """
    _, idx = metrics.nearest(samples, train)
    neighbours = train[idx]
    return neighbours, (samples - neighbours).flatten(1).norm(dim=1)
