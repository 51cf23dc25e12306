"""zoo.realness: each discriminator's reading and its meaning, saliency, and gradient ascent toward "real"."""

from __future__ import annotations

import pytest
import torch

import zoo
from zoo import realness
from zoo.models import BasicDiscriminator, DCGANDiscriminator, OTGANCritic, WGANCritic


def digits(n: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.fixture(params=["basic", "dcgan", "wgan", "otgan"])
def judge(request) -> realness.Judge:
    torch.manual_seed(0)
    models = {
        "basic": BasicDiscriminator(hidden=(32, 16)),
        "dcgan": DCGANDiscriminator(width=8),
        "wgan": WGANCritic(width=8),
        "otgan": OTGANCritic(width=4),
    }
    return realness.Judge(models[request.param].eval(), digits(16, 2), digits(16, 3))


@torch.no_grad()
def test_readings_mean_what_each_loss_says(judge: realness.Judge) -> None:
    x, real, fake = digits(1, 1), digits(16, 2), digits(16, 3)
    verdict = realness.verdict(judge, x)
    score = judge.realness(x)
    assert score.shape == (1,)
    if judge.output == "logit":
        assert verdict.label == "D(x)" and verdict.value == pytest.approx(float(torch.sigmoid(score)))
        assert "probability" in verdict.meaning and 0 < verdict.value < 1
    elif judge.output == "critic":
        assert verdict.value == pytest.approx(float(score)) and "Wasserstein" in verdict.meaning
    else:  # the mean cosine cost to the real batch: the Sinkhorn distance from {x} to it
        from zoo.ot import cosine_cost, sinkhorn_distance

        cost = cosine_cost(judge.discriminator(x), judge.real_features)
        assert verdict.value == pytest.approx(float(cost.mean()), abs=1e-5)
        assert verdict.value == pytest.approx(float(sinkhorn_distance(cost, 0.01, 50)), abs=1e-4)
        assert "Sinkhorn" in verdict.meaning and 0 <= verdict.value <= 2
    assert verdict.real == pytest.approx(float(judge.value(judge.realness(real)).mean()), abs=1e-5)
    assert verdict.generated == pytest.approx(float(judge.value(judge.realness(fake)).mean()), abs=1e-5)


def test_saliency_is_the_gradient_and_leaves_the_model_alone(judge: realness.Judge) -> None:
    x = digits(1, 4)
    grad = realness.saliency(judge, x)
    assert grad.shape == x.shape and grad.abs().sum() > 0
    assert all(p.grad is None for p in judge.discriminator.parameters())
    eps = 1e-3
    i = int(grad.abs().flatten().argmax())
    bumped = x.clone().flatten()
    bumped[i] += eps
    with torch.no_grad():
        change = float(judge.realness(bumped.view_as(x)) - judge.realness(x))
    assert change == pytest.approx(eps * float(grad.flatten()[i]), rel=0.1, abs=1e-6)
    picture = realness.saliency_picture(x, grad, scale=3)
    assert picture.size == (84, 84) and picture.mode == "RGB"


def test_making_it_more_real_raises_the_score_and_reads_every_frame(judge: realness.Judge) -> None:
    reader = zoo.DigitClassifier(width=4, feature_dim=16).eval()
    ascent = realness.make_more_real(judge, digits(1, 5), steps=6, step_size=0.05, reader=reader)
    assert ascent.frames.shape == (7, 1, 28, 28) and ascent.frames.abs().max() <= 1
    with torch.no_grad():
        scores = [float(judge.realness(f[None])) for f in ascent.frames]
    assert scores[-1] > scores[0]
    assert len(ascent.values) == len(ascent.readings) == 7
    assert realness.make_more_real(judge, digits(1, 5), steps=2).readings is None
