"""zoo.metrics: known answers for every figure, the one way to read a classifier, and label flips."""

import pytest
import torch

from zoo import metrics
from zoo.models import DigitClassifier


def test_frechet_distance_is_zero_for_same_set_and_grows_with_shift():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(2000, 8, generator=gen)
    assert metrics.frechet_distance(a, a) < 1e-6
    shifted = [metrics.frechet_distance(a, a + s) for s in (0.5, 1.0, 2.0)]
    assert shifted == sorted(shifted)
    assert shifted[1] == pytest.approx(8 * 1.0**2, rel=1e-3)  # a pure mean shift adds ‖Δμ‖²
    b = torch.randn(2000, 8, generator=gen) * 2  # a wider Gaussian: Tr term, (2 − 1)² per dimension
    assert metrics.frechet_distance(a, b) == pytest.approx(8.0, rel=0.15)


def test_inception_score_bounds():
    constant = torch.zeros(100, 10)
    constant[:, 3] = 1
    assert metrics.inception_score(constant) == pytest.approx(1.0)
    confident_uniform = torch.eye(10).repeat(10, 1)
    assert metrics.inception_score(confident_uniform) == pytest.approx(10.0, rel=1e-6)
    unsure = torch.full((100, 10), 0.1)
    assert metrics.inception_score(unsure) == pytest.approx(1.0)


def test_histogram_flags_single_class():
    probs = torch.zeros(500, 10)
    probs[:, 7] = 1
    hist = metrics.class_histogram(probs)
    cov = metrics.coverage(hist)
    assert hist[7] == 1 and cov["classes_covered"] == 1
    assert cov["tv_to_uniform"] == pytest.approx(0.9)
    balanced = metrics.coverage(metrics.class_histogram(torch.eye(10).repeat(50, 1)))
    assert balanced["tv_to_uniform"] == 0 and balanced["classes_covered"] == 10


def test_confident_share():
    probs = torch.tensor([[0.95, 0.05], [0.6, 0.4], [0.1, 0.9]])
    assert metrics.confident_share(probs) == pytest.approx(2 / 3)


def test_memorisation_flags_copies():
    gen = torch.Generator().manual_seed(0)
    train = torch.rand(2000, 1, 28, 28, generator=gen)
    test = torch.rand(300, 1, 28, 28, generator=gen)
    copies = metrics.memorisation(train[:200] + 0.001, train, test)
    fresh = metrics.memorisation(torch.rand(200, 1, 28, 28, generator=gen), train, test)
    assert copies["copy_share"] == 1.0 and copies["distance_ratio"] < 0.01
    assert fresh["copy_share"] < 0.05 and fresh["distance_ratio"] == pytest.approx(1.0, abs=0.05)
    _, idx = metrics.nearest(train[[5, 17]], train)
    assert idx.tolist() == [5, 17]


def test_nearest_training_digits_finds_an_exact_copy() -> None:
    train = torch.rand(50, 1, 28, 28) * 2 - 1
    samples = torch.stack([train[7], train[3] + 0.01])
    neighbours, distances = metrics.nearest_training_digits(samples, train)
    assert torch.equal(neighbours[0], train[7]) and distances[0] == 0
    assert torch.equal(neighbours[1], train[3]) and distances[1] == pytest.approx(0.28, abs=0.01)


def test_label_flips_are_the_largest_off_diagonal_shares() -> None:
    counts = torch.eye(10, dtype=torch.long) * 90
    counts[7, 7], counts[7, 9] = 30, 60  # two thirds of the 7s read as 9
    counts[5, 3] = 10  # 10 % of the 5s read as 3
    counts[1, 2] = 2  # 2 %: below the cut
    flips = metrics.label_flips(counts.tolist())
    assert [(f.digit, f.read_as) for f in flips] == [(7, 9), (5, 3)]
    assert flips[0].share == pytest.approx(2 / 3) and str(flips[0]) == "7→9 (67 %)"
    assert metrics.label_flips(torch.eye(10).tolist()) == []


def test_read_digits_is_predict_in_readings() -> None:
    torch.manual_seed(0)
    clf = DigitClassifier(width=4, feature_dim=16).eval()
    x = torch.rand(5, 1, 28, 28) * 2 - 1
    probs = metrics.predict(clf, x)
    assert torch.allclose(probs.sum(1), torch.ones(5))
    readings = metrics.read_digits(clf, x)
    assert [r.digit for r in readings] == probs.argmax(1).tolist()
    assert readings[0].confidence == pytest.approx(float(probs[0].max())) and str(readings[0]).endswith("%)")
    assert [r.digit for r in metrics.read_digits(clf, x[:2])] == [r.digit for r in readings[:2]]
