"""Shared fixtures: a tiny synthetic data directory in the real on-disk formats, and the real data if present."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"

torch.set_num_threads(min(2, torch.get_num_threads()))


def _digit_like(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """Blobs of strokes: enough structure for a few training steps, nothing more."""
    images = np.zeros((n, size, size), dtype=np.float32)
    for img in images:
        for _ in range(3):
            r, c = rng.integers(size // 4, 3 * size // 4, 2)
            img[max(0, r - 2) : r + 2, max(0, c - 6) : c + 6] = 1.0
    return images


def write_idx(path: Path, array: np.ndarray, gz: bool = True) -> None:
    magic = 2051 if array.ndim == 3 else 2049
    header = struct.pack(">II", magic, array.shape[0]) + b"".join(struct.pack(">I", d) for d in array.shape[1:])
    data = header + array.astype(np.uint8).tobytes()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def make_data_dir(root: Path, n_train: int = 256, n_test: int = 64) -> Path:
    import h5py

    rng = np.random.default_rng(0)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        write_idx(raw / f"{split}-images-idx3-ubyte.gz", _digit_like(rng, n, 28) * 255)
        write_idx(raw / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    (root / "USPS").mkdir()
    with h5py.File(root / "USPS" / "usps.h5", "w") as f:
        for split, n in (("train", n_train), ("test", n_test)):
            g = f.create_group(split)
            g["data"] = _digit_like(rng, n, 16).reshape(n, 256)
            g["target"] = np.arange(n) % 10
    return root


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("data"))


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "MNIST" / "raw").is_dir() or not (SHARED_DATA / "USPS" / "usps.h5").is_file():
        pytest.skip(f"real datasets not found in {SHARED_DATA}")
    return SHARED_DATA


def make_tiny_weights(
    root: Path, lambdas: tuple[int, ...] = (0, 10), semantic: bool = False, gans: bool = False
) -> Path:
    """Untrained, tiny versions of the shipped model folders (generators, CycleGANs, classifiers) for UI tests.

    ``semantic`` adds ``cyclegan-semantic``, a CycleGAN whose config.json records CyCADA's objective, with the
    classifier its loss read with (``classifier-mnist-semantic``), as issue 10 ships them. ``gans`` adds the
    WGAN and OT-GAN generators and every GAN's discriminator beside its generator (``<gan>/discriminator/``).
    """
    import json

    import zoo
    from zoo.folder import save_discriminator
    from zoo.models import BasicDiscriminator, DCGANDiscriminator, OTGANCritic, WGANCritic

    torch.manual_seed(0)
    models = {
        "dcgan": zoo.DCGANGenerator(latent_dim=8, width=4),
        "basic-gan": zoo.BasicGenerator(latent_dim=8, hidden=(16,)),
        "classifier-mnist": zoo.DigitClassifier("mnist", width=4, feature_dim=16),
        "classifier-usps": zoo.DigitClassifier("usps", width=4, feature_dim=16),
        **{f"cyclegan-lambda{lam}": zoo.CycleGAN(width=4, n_blocks=1, lambda_cycle=float(lam)) for lam in lambdas},
    }
    if semantic:
        models["cyclegan-semantic"] = zoo.CycleGAN(
            width=4,
            n_blocks=1,
            lambda_cycle=10.0,
            lambda_identity=0.0,
            semantic_weight=1.0,
            semantic_classifier="classifier-mnist-semantic",
        )
        models["classifier-mnist-semantic"] = zoo.DigitClassifier("mnist", width=2, feature_dim=8)
    if gans:
        models["wgan"] = zoo.WGANGenerator(latent_dim=8, width=4)
        models["otgan"] = zoo.OTGANGenerator(latent_dim=8, width=2)
    for name, model in models.items():
        model.eval().save_pretrained(root / name)
    if gans:
        discriminators = {
            "basic-gan": BasicDiscriminator(hidden=(16,)),
            "dcgan": DCGANDiscriminator(width=4),
            "wgan": WGANCritic(width=4),
            "otgan": OTGANCritic(width=2),
        }
        for name, disc in discriminators.items():
            save_discriminator(disc, root / name)
    log = [
        {"step": s, "loss_d": 1.0 / s, "loss_g": 2.0 / s, "images_per_s": 100.0 + s, "wall_time": s / 10}
        for s in range(1, 6)
    ]
    (root / "dcgan" / "training_log.jsonl").write_text("\n".join(json.dumps(r) for r in log) + "\n")
    return root


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_weights(tmp_path_factory.mktemp("weights"))
