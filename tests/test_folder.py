"""zoo.folder: the model folder's files, read and written in one place; listing and resolving folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from zoo import folder
from zoo.models import DCGANDiscriminator, DCGANGenerator, ModelLoadError


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    folder.save_model(DCGANGenerator(latent_dim=8, width=4).eval(), tmp_path / "weights" / "dcgan")
    return tmp_path / "weights" / "dcgan"


def test_save_load_config_and_listing(model_dir: Path, monkeypatch) -> None:
    assert sorted(p.name for p in model_dir.iterdir()) == [folder.CARD, folder.CONFIG, folder.WEIGHTS]
    assert folder.read_config(model_dir)["arch"] == "dcgan" and folder.model_class(model_dir).kind == "generator"
    model = folder.load_model(model_dir)
    assert isinstance(model, DCGANGenerator) and not model.training
    monkeypatch.setenv(folder.WEIGHTS_ENV, str(model_dir.parent))
    assert folder.weights_dir() == model_dir.parent and folder.local("dcgan") == model_dir
    assert folder.list_models() == ["dcgan"] and folder.resolve("dcgan") == model_dir
    assert folder.resolve(model_dir) == model_dir
    with pytest.raises(ModelLoadError, match="available: dcgan"):
        folder.resolve("wgan")
    (model_dir.parent / "notes").mkdir()  # not a model folder: no config or weights
    assert folder.list_models() == ["dcgan"]


def test_weights_dir_without_the_variable_is_the_bundled_or_the_checkouts(monkeypatch) -> None:
    monkeypatch.delenv(folder.WEIGHTS_ENV, raising=False)
    expected = folder.BUNDLED_WEIGHTS if folder.BUNDLED_WEIGHTS.is_dir() else folder.CHECKOUT_WEIGHTS
    assert folder.weights_dir() == expected


def test_records_round_trip_and_absent_or_broken_files_read_as_nothing(model_dir: Path) -> None:
    assert folder.read_metrics(model_dir) is None and folder.read_training(model_dir) is None
    assert folder.read_training_log(model_dir) == [] and folder.samples(model_dir) is None
    evaluation = {"seed": 0, "evaluated": "2026-11-29", "metrics": {"kind": "generator"}, "reference": {}}
    folder.write_metrics(model_dir, evaluation)
    assert folder.read_metrics(model_dir) == evaluation
    assert (model_dir / folder.METRICS).read_text().endswith("}\n")
    folder.write_training(model_dir, {"command": "python -m train.dcgan", "steps": 3})
    assert folder.read_training(model_dir) == {"command": "python -m train.dcgan", "steps": 3}
    (model_dir / folder.METRICS).write_text('{"no": "metrics table"}')
    (model_dir / folder.TRAINING).write_text("{truncated")
    assert folder.read_metrics(model_dir) is None and folder.read_training(model_dir) is None
    with pytest.raises(ModelLoadError, match="Corrupt config"):
        (model_dir / folder.CONFIG).write_text("{")
        folder.read_config(model_dir)


def test_training_log_is_thinned_and_keeps_the_last_line(model_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "metrics.jsonl"
    log.write_text("".join(json.dumps({"step": s, "loss": 1 / s}) + "\n" for s in range(1, 1001)) + "not json\n")
    assert folder.write_training_log(model_dir, log, max_points=100) == model_dir / folder.TRAINING_LOG
    steps = [r["step"] for r in folder.read_training_log(model_dir)]  # the bad last line is skipped on reading
    assert steps[:3] == [1, 12, 23] and len(steps) == 91
    assert folder.write_training_log(model_dir, tmp_path / "absent.jsonl") is None


def test_samples_card_and_contents(model_dir: Path, tmp_path: Path) -> None:
    png = tmp_path / "latest.png"
    assert folder.write_samples(model_dir, png) is None
    png.write_bytes(b"\x89PNG fake")
    assert folder.write_samples(model_dir, png) == model_dir / folder.SAMPLES
    assert folder.samples(model_dir).read_bytes() == b"\x89PNG fake"
    folder.write_card(model_dir, "# dcgan\n")
    (model_dir / "notes.txt").write_text("not part of the folder")
    assert [p.name for p in folder.contents(model_dir)] == [folder.CONFIG, folder.WEIGHTS, folder.CARD, folder.SAMPLES]


def test_notes_are_part_of_the_folder_and_quoted_in_the_card(model_dir: Path) -> None:
    from zoo import card

    assert folder.read_notes(model_dir) is None and "What was tried" not in card.card_text(model_dir)
    (model_dir / folder.NOTES).write_text("| run | IS |\n|---|---|\n| wider | 9.1 |\n")
    assert folder.read_notes(model_dir).endswith("| wider | 9.1 |")
    assert "## What was tried\n\n| run | IS |" in card.card_text(model_dir)
    assert folder.NOTES in [p.name for p in folder.contents(model_dir)]  # published with the model


def test_a_discriminator_is_saved_beside_its_generator_in_half_precision(model_dir: Path, monkeypatch) -> None:
    assert folder.discriminator_folder(model_dir) is None
    torch.manual_seed(0)
    disc = DCGANDiscriminator(width=4).train()
    path = folder.save_discriminator(disc, model_dir)
    assert path == model_dir / folder.DISCRIMINATOR == folder.discriminator_folder(model_dir)
    assert disc.training and next(disc.parameters()).dtype == torch.float32  # the trained net is left as it was
    from safetensors.torch import load_file

    assert {t.dtype for k, t in load_file(path / folder.WEIGHTS).items() if "num_batches" not in k} == {torch.float16}
    loaded = folder.load_model(path)
    assert isinstance(loaded, DCGANDiscriminator) and next(loaded.parameters()).dtype == torch.float32
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    assert torch.allclose(loaded(x), disc.eval()(x), atol=1e-2)
    monkeypatch.setenv(folder.WEIGHTS_ENV, str(model_dir.parent))
    assert folder.list_models() == ["dcgan"]  # a subfolder, not a model of its own
    assert isinstance(folder.load_model(folder.resolve("dcgan/discriminator")), DCGANDiscriminator)


def test_the_default_discriminator_depth_keeps_the_shipped_weight_layout() -> None:
    """``layers`` came after discriminators were shipped: its default must name the same tensors, so they load."""
    keys = list(DCGANDiscriminator(width=4).state_dict())
    assert keys[-2:] == ["net.5.weight", "net.5.bias"] and "net.3.running_mean" in keys
    assert DCGANDiscriminator(width=4, layers=3).net[-1].weight.shape == (1, 16, 3, 3)
    with pytest.raises(ValueError, match="layers must be 2 or 3"):
        DCGANDiscriminator(width=4, layers=1)


# --- untrusted folders: refused with one line, before anything is built ---


def _rewrite_config(model_dir: Path, **changes) -> None:
    path = model_dir / folder.CONFIG
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def test_untrusted_configs_are_refused_with_a_reason(model_dir: Path) -> None:
    (model_dir / folder.CONFIG).write_text("[1, 2, 3]")
    with pytest.raises(ModelLoadError, match="holds a JSON list, not an object"):
        folder.load_model(model_dir)
    (model_dir / folder.CONFIG).write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(ModelLoadError, match="Corrupt config file"):
        folder.load_model(model_dir)
    (model_dir / folder.CONFIG).write_text(json.dumps({"arch": "dcgan", "latent_dim": 8, "width": 4}))
    assert isinstance(folder.load_model(model_dir), DCGANGenerator)
    for change, message in [
        ({"width": -4}, r"width = -4 is out of range"),
        ({"latent_dim": 10**12}, r"latent_dim = 1000000000000 is out of range"),
        ({"width": "wide"}, r"does not describe a valid DCGANGenerator"),
        ({"layers": 7}, r"does not describe a valid DCGANGenerator: layers must be 3 or 4"),
        ({"width": [4] * 1000}, r"width = \[4, 4, .* has more than 64 items"),
        ({"latent_dim": float("nan")}, r"latent_dim = NaN is not a finite number"),
    ]:
        _rewrite_config(model_dir, **change)
        with pytest.raises(ModelLoadError, match=message):
            folder.load_model(model_dir)
        _rewrite_config(model_dir, latent_dim=8, width=4, layers=4)


def test_a_config_larger_than_its_weights_is_refused_before_it_is_built(model_dir: Path) -> None:
    """A latent_dim the file's tensors do not have is refused from the safetensors header: nothing is allocated.

    Built for real, this DCGAN's first layer alone (65,536 × 8·width × 3 × 3 floats) would take 75 MB; the
    check must come before, so peak memory stays near where it was.
    """
    code = f"""
import resource, sys
from zoo import folder
from zoo.models import ModelLoadError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    folder.load_model({str(model_dir)!r})
except ModelLoadError as err:
    print("refused:", err)
print("grew_mb", (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""
    _rewrite_config(model_dir, latent_dim=65536, width=32)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "do not match the architecture in its config.json" in result.stdout
    assert "shape mismatch" in result.stdout
    assert float(result.stdout.split("grew_mb")[1]) < 20


def test_names_too_long_for_the_filesystem_are_a_load_error(model_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv(folder.WEIGHTS_ENV, str(model_dir.parent))
    with pytest.raises(ModelLoadError, match="No model folder 'xxxx.*…'.*available: dcgan"):
        folder.resolve("x" * 5000)
    with pytest.raises(ModelLoadError, match="No model folder"):
        folder.resolve("bad\x00name")


def test_non_finite_weights_are_refused(model_dir: Path) -> None:
    from safetensors.torch import load_file, save_file

    path = model_dir / folder.WEIGHTS
    state = load_file(str(path))
    nan = {k: torch.full_like(v, float("nan")) if v.is_floating_point() else v for k, v in state.items()}
    save_file(nan, str(path))
    with pytest.raises(ModelLoadError, match=r"model.safetensors contain NaN or infinite values \(net"):
        folder.load_model(model_dir)
    state["net.0.weight"].view(-1)[0] = float("inf")  # one weight is enough
    save_file(state, str(path))
    with pytest.raises(ModelLoadError, match="NaN or infinite"):
        folder.load_model(model_dir)


def test_an_exported_folder_is_readable_by_all_and_its_card_names_the_paper(tmp_path: Path) -> None:
    """Issue 14: model.safetensors came out 0600 beside 0644 files; the card said "Paper: [More Information
    Needed]"."""
    from zoo.models import DigitClassifier

    folder.save_model(DCGANGenerator(latent_dim=8, width=4), tmp_path / "dcgan")
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "dcgan").iterdir()}
    assert modes[folder.WEIGHTS] == modes[folder.CONFIG] == modes[folder.CARD]
    card = (tmp_path / "dcgan" / folder.CARD).read_text()
    assert "- Paper: https://arxiv.org/abs/1511.06434" in card and "More Information Needed" not in card
    folder.save_discriminator(DCGANDiscriminator(width=4), tmp_path / "dcgan")
    assert "arxiv.org/abs/1511.06434" in (tmp_path / "dcgan" / folder.DISCRIMINATOR / folder.CARD).read_text()
    folder.save_model(DigitClassifier("mnist", width=4, feature_dim=16), tmp_path / "classifier")
    assert (
        "Paper: none (one of the zoo's own measuring instruments)"
        in (tmp_path / "classifier" / folder.CARD).read_text()
    )
