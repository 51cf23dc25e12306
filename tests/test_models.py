import pytest
import torch

import zoo
from zoo.models import (
    BasicDiscriminator,
    BasicGenerator,
    CycleGAN,
    DCGANDiscriminator,
    DCGANGenerator,
    DigitClassifier,
    OTGANCritic,
    OTGANGenerator,
    PatchDiscriminator,
    WGANCritic,
    WGANGenerator,
)

GENERATORS = [BasicGenerator, DCGANGenerator, WGANGenerator, OTGANGenerator]


@pytest.mark.parametrize("cls", GENERATORS)
def test_generator_shapes_range_and_seeds(cls):
    g = cls().eval()
    assert g.latent_dim == 100
    x = g.sample(5, seed=3)
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1
    assert torch.equal(x, g.sample(5, seed=3))
    assert not torch.equal(x, g.sample(5, seed=4))
    z = g.latent(5, seed=3)
    assert torch.equal(g.decode(z), x)


def test_truncated_latents_stay_inside_the_threshold_and_keep_their_seed():
    """BigGAN's truncation trick: every coordinate within ±T, the same seed the same latents, and plain sampling
    (truncation None) unchanged by the option's existence."""
    g = DCGANGenerator().eval()
    z = g.latent(2000, seed=3, truncation=0.5)
    assert z.abs().max() <= 0.5 and z.std() < 0.35  # a N(0, 1) cut at ±0.5 has standard deviation 0.28
    assert torch.equal(z, g.latent(2000, seed=3, truncation=0.5))
    assert torch.equal(g.latent(5, seed=3, truncation=None), g.latent(5, seed=3))
    assert g.latent(2000, seed=3).abs().max() > 2.5
    assert torch.equal(g.sample(4, seed=1, truncation=1.0), g.decode(g.latent(4, seed=1, truncation=1.0)))
    for bad in (0, -1.0, float("inf"), float("nan"), True, "1"):
        with pytest.raises(ValueError, match="truncation"):
            g.latent(2, seed=0, truncation=bad)


@pytest.mark.parametrize(
    ("disc", "shape"),
    [
        (BasicDiscriminator(), (4,)),
        (DCGANDiscriminator(), (4,)),
        (WGANCritic(), (4,)),
        (PatchDiscriminator(strided=1), (4, 1, 14, 14)),
        (PatchDiscriminator(), (4, 1, 5, 5)),
    ],
)
def test_discriminator_outputs(disc, shape):
    assert disc(torch.rand(4, 1, 28, 28) * 2 - 1).shape == shape


def test_otgan_critic_embedding_is_unit_norm():
    v = OTGANCritic()(torch.rand(3, 1, 28, 28))
    assert torch.allclose(v.norm(dim=1), torch.ones(3), atol=1e-5)


def test_wgan_critic_has_no_sigmoid_and_clips():
    critic = WGANCritic()
    assert not any(isinstance(m, torch.nn.Sigmoid) for m in critic.modules())
    critic.clip_weights(0.01)
    assert critic.weights_within(0.01)


def test_cyclegan_translates_both_ways():
    m = CycleGAN(width=8, n_blocks=2).eval()
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    for y in (m.mnist_to_usps(x), m.usps_to_mnist(x)):
        assert y.shape == x.shape and y.min() >= -1 and y.max() <= 1


def test_classifier_logits_and_features():
    c = DigitClassifier().eval()
    x = torch.rand(6, 1, 28, 28) * 2 - 1
    assert c(x).shape == (6, 10)
    assert c.features(x).shape == (6, c.feature_dim)
    assert c.kind == "classifier" and c.device == torch.device("cpu")


@pytest.mark.parametrize(
    "model",
    [
        BasicGenerator(latent_dim=16),
        DCGANGenerator(width=8),
        WGANGenerator(width=8),
        OTGANGenerator(width=4),
        CycleGAN(width=8, n_blocks=1, lambda_cycle=3.0),
        DigitClassifier(domain="usps", width=8),
    ],
)
def test_save_and_load_roundtrip(model, tmp_path):
    model.eval().save_pretrained(tmp_path / "m")
    loaded = zoo.load(tmp_path / "m")
    assert type(loaded) is type(model) and not loaded.training
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert torch.equal(a, b), k
    import json

    assert json.loads((tmp_path / "m" / "config.json").read_text())["arch"] == model.arch
    if isinstance(model, CycleGAN):
        assert loaded.lambda_cycle == 3.0


def test_every_architecture_has_a_kind_and_the_papers_init():
    from zoo.models.base import KINDS

    assert {arch: cls.kind for arch, cls in zoo.ARCHITECTURES.items()} == {
        "basic": "generator",
        "basic-discriminator": "discriminator",
        "dcgan": "generator",
        "dcgan-discriminator": "discriminator",
        "wgan": "generator",
        "wgan-critic": "discriminator",
        "otgan": "generator",
        "otgan-critic": "discriminator",
        "cyclegan": "translator",
        "classifier": "classifier",
    }
    assert set(KINDS) == {"generator", "translator", "classifier", "discriminator"}
    torch.manual_seed(0)
    for model in (CycleGAN(width=8, n_blocks=1), PatchDiscriminator(width=8), DCGANGenerator(width=8)):
        convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d | torch.nn.ConvTranspose2d)]
        weights = torch.cat([m.weight.detach().flatten() for m in convs])
        assert float(weights.std()) == pytest.approx(0.02, rel=0.1)
        assert all(m.bias is None or not m.bias.any() for m in convs)


# The state_dict keys of every discriminator as the trainers' checkpoints hold them (from before they were
# ZooModels): a running training's checkpoint must still load.
BN = ["net.3.weight", "net.3.bias", "net.3.running_mean", "net.3.running_var", "net.3.num_batches_tracked"]
CHECKPOINT_KEYS = {
    BasicDiscriminator: [f"net.{i}.{p}" for i in (1, 4, 7, 10) for p in ("weight", "bias")],
    DCGANDiscriminator: ["net.0.weight", "net.0.bias", "net.2.weight", *BN, "net.5.weight", "net.5.bias"],
    WGANCritic: ["net.0.weight", "net.0.bias", "net.2.weight", *BN, "net.5.weight", "net.5.bias"],
    OTGANCritic: [f"net.{i}.{p}" for i in (0, 2, 4) for p in ("weight", "bias")],
}


def test_discriminator_checkpoint_keys_are_unchanged():
    assert {cls: list(cls().state_dict()) for cls in CHECKPOINT_KEYS} == CHECKPOINT_KEYS


@pytest.mark.parametrize(
    ("disc", "output"),
    [
        (BasicDiscriminator(hidden=(32, 16), dropout=0.1), "logit"),
        (DCGANDiscriminator(width=8), "logit"),
        (WGANCritic(width=8, batch_norm=False), "critic"),
        (OTGANCritic(width=4), "embedding"),
    ],
)
def test_discriminators_are_folders_whose_config_rebuilds_them(disc, output, tmp_path):
    assert disc.kind == "discriminator" and disc.output == output
    disc.eval().save_pretrained(tmp_path / "d")
    loaded = zoo.load(tmp_path / "d")
    assert type(loaded) is type(disc) and not loaded.training
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    assert torch.equal(loaded(x), disc(x))
