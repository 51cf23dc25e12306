"""zoo.plots: the figures' data (curves, the λ trade-off, label flips) and the README's λ-sweep SVG."""

from __future__ import annotations

import pytest
import torch

from zoo import plots


def test_training_curve_groups() -> None:
    log = [
        {"step": 1, "wasserstein": 0.5, "loss_critic": -0.5, "loss_g": 0.1, "images_per_s": 90.0, "wall_time": 1},
        {"step": 2, "wasserstein": 0.4, "loss_critic": -0.4, "loss_g": 0.2, "critic_iters": 5.0, "wall_time": 2},
    ]
    assert plots.curve_groups(log) == {
        "Losses": ["loss_critic", "loss_g"],
        "Critic's Wasserstein estimate": ["wasserstein"],
        "Throughput (images/s)": ["images_per_s"],
        "Other terms": ["critic_iters"],
    }
    figure = plots.training_curves(log)["Critic's Wasserstein estimate"]
    assert list(figure.data[0].x) == [1, 2] and list(figure.data[0].y) == [0.5, 0.4]


def test_confusion_heatmap_is_row_normalised() -> None:
    counts = torch.eye(10, dtype=torch.long) * 90
    counts[7, 7], counts[7, 9] = 30, 60  # two thirds of the 7s read as 9
    counts[5, 3] = 10  # 10 % of the 5s read as 3
    z = plots.confusion_heatmap(counts.tolist())["data"][0]["z"]
    assert z[7][9] == pytest.approx(200 / 3) and z[5][3] == pytest.approx(100 / 10)
    assert all(sum(row) == pytest.approx(100) for row in z)


def test_lambda_tradeoff_figure_is_sorted_by_lambda() -> None:
    rows = [
        {"lambda_cycle": 10.0, "label_preservation_mnist_to_usps": 0.9, "cycle_l1_mnist": 0.05},
        {"lambda_cycle": 0.0, "label_preservation_mnist_to_usps": 0.2, "cycle_l1_mnist": 0.6},
    ]
    figure = plots.lambda_tradeoff(rows)
    assert list(figure.data[0].x) == [0.0, 10.0]
    assert list(figure.data[0].y) == pytest.approx([20.0, 90.0])
    assert list(figure.data[1].y) == [0.6, 0.05]


def test_other_objectives_are_single_labelled_markers_beside_the_sweep() -> None:
    sweep = [{"lambda_cycle": 0.0, "label_preservation_mnist_to_usps": 0.2, "cycle_l1_mnist": 0.6}]
    semantic = {"lambda_cycle": 10.0, "label_preservation_mnist_to_usps": 0.95, "cycle_l1_mnist": 0.07}
    figure = plots.lambda_tradeoff(sweep, others={"semantic (CyCADA), λ = 10": semantic})
    extra = [trace for trace in figure.data if trace.name.startswith("semantic")]
    assert [list(t.x) for t in extra] == [[10.0], [10.0]] and extra[0].mode == "markers"
    assert list(extra[0].y) == pytest.approx([95.0]) and list(extra[1].y) == [0.07]
    assert list(figure.layout.xaxis.tickvals) == [0.0, 10.0]


def test_lambda_tradeoff_right_axis_has_rounded_ticks() -> None:
    rows = [
        {"lambda_cycle": lam, "label_preservation_mnist_to_usps": 0.9, "cycle_l1_mnist": 0.1 + lam / 300}
        for lam in (0, 3)
    ]
    figure = plots.lambda_tradeoff(rows)
    assert figure.layout.yaxis2.tickformat == ".3~f"
