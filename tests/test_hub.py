"""Loading from folders, from a prepared Hub cache offline, the auto fallback, bad files, and push --dry-run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import zoo
from zoo import hub
from zoo.models import DCGANGenerator, ModelLoadError, WGANGenerator

REPO = Path(__file__).resolve().parent.parent
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def weights(tmp_path, monkeypatch):
    root = tmp_path / "weights"
    torch.manual_seed(0)
    DCGANGenerator(width=4).eval().save_pretrained(root / "dcgan")
    WGANGenerator(width=4).eval().save_pretrained(root / "wgan")
    (root / "dcgan" / "metrics.json").write_text("{}")
    (root / "dcgan" / "notes.txt").write_text("not uploaded")
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(root))
    return root


def test_load_by_name_and_list(weights):
    assert zoo.list_models() == ["dcgan", "wgan"]
    model = zoo.load("dcgan")
    assert isinstance(model, DCGANGenerator) and not model.training
    with pytest.raises(ModelLoadError, match="available: dcgan, wgan"):
        zoo.load("nope")
    with pytest.raises(ValueError, match="source"):
        zoo.load("dcgan", source="ftp")


def test_truncated_weights_name_the_file(weights):
    path = weights / "dcgan" / "model.safetensors"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelLoadError, match=r"Corrupt or truncated weights file .*dcgan/model.safetensors"):
        zoo.load("dcgan")
    path.write_bytes(b"\x00" * 7)
    with pytest.raises(ModelLoadError, match="model.safetensors"):
        zoo.load("dcgan")


def test_config_that_does_not_match_weights(weights):
    config_path = weights / "dcgan" / "config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "width": 8}))
    with pytest.raises(ModelLoadError, match=r"dcgan/model.safetensors do not match .*shape mismatch"):
        zoo.load("dcgan")
    config_path.write_text(json.dumps({**config, "arch": "wgan"}))  # same shapes, other class: loads as WGAN
    assert isinstance(zoo.load("dcgan"), WGANGenerator)
    config_path.write_text(json.dumps({**config, "arch": "vae"}))
    with pytest.raises(ModelLoadError, match="names architecture 'vae'"):
        zoo.load("dcgan")
    config_path.write_text("{not json")
    with pytest.raises(ModelLoadError, match="Corrupt config file"):
        zoo.load("dcgan")


def test_missing_weights_are_reported(weights):
    from zoo.models.base import load_weights

    model = DCGANGenerator(width=4)
    state = {k: v for k, v in model.state_dict().items() if "net.0" not in k}
    from safetensors.torch import save_file

    save_file(state, str(weights / "partial.safetensors"))
    with pytest.raises(ModelLoadError, match="missing"):
        load_weights(model, weights / "partial.safetensors")


def _hub_cache(home: Path, weights: Path, repo_id: str, names: list[str]) -> None:
    """What huggingface_hub leaves on disk after downloading: snapshots/<commit>/… and refs/main."""
    repo_dir = home / "hub" / f"models--{repo_id.replace('/', '--')}"
    for name in names:
        shutil.copytree(weights / name, repo_dir / "snapshots" / COMMIT / name)
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(COMMIT)


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=180, env={**os.environ, **env}
    )


def test_offline_hub_cache_auto_fallback_and_clear_errors(weights, tmp_path):
    home = tmp_path / "hf"
    _hub_cache(home, weights, "someone/gan-zoo", ["dcgan"])
    env = {"HF_HOME": str(home), "HF_HUB_OFFLINE": "1", "GAN_ZOO_WEIGHTS": str(tmp_path / "empty")}
    code = """
import zoo
from zoo.models import ModelLoadError
COMMIT = "%COMMIT%"
m = zoo.load("dcgan", source="hub", repo_id="someone/gan-zoo")
print("hub", type(m).__name__, m.training)
m = zoo.load("dcgan", source="hub", repo_id="someone/gan-zoo", revision=COMMIT)
print("pinned", type(m).__name__)
try:
    zoo.load("wgan", source="hub", repo_id="someone/gan-zoo")
except ModelLoadError as e:
    print("uncached:", e)
try:
    zoo.load("wgan", source="auto", repo_id="someone/gan-zoo")
except ModelLoadError as e:
    print("nowhere:", e)
""".replace("%COMMIT%", COMMIT)
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "hub DCGANGenerator False" in out and "pinned DCGANGenerator" in out
    assert "uncached:" in out and "no model 'wgan'" in out
    assert "nowhere: Model 'wgan' found neither on the Hub (someone/gan-zoo) nor locally" in out

    # auto: the Hub has no cached repo at all → falls back to weights/ with a warning
    env["GAN_ZOO_WEIGHTS"] = str(weights)
    result = _run('import zoo; print(type(zoo.load("wgan", source="auto", repo_id="other/repo")).__name__)', env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WGANGenerator"
    assert "using the local folder" in result.stderr

    result = _run('import zoo; zoo.load("wgan", source="hub", repo_id="other/repo")', env)
    assert result.returncode == 1 and "Cannot reach the Hub for other/repo" in result.stderr


def test_push_dry_run_lists_files(weights, capsys):
    assert hub.main(["push", "--repo-id", "me/gan-zoo", "--dry-run"]) == 0
    out = capsys.readouterr().out
    for name in ("dcgan", "wgan"):
        for f in ("config.json", "model.safetensors"):
            assert f"{weights / name / f} -> me/gan-zoo:{name}/{f}" in out
    assert "dcgan/metrics.json" in out and "notes.txt" not in out
    assert "7 files in 2 models would upload" in out  # + the two model cards (README.md)
    assert hub.main(["push", "--repo-id", "me/gan-zoo", "--models", "dcgan", "--dry-run"]) == 0
    assert "wgan" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        hub.main(["push", "--repo-id", "me/gan-zoo", "--models", "nope", "--dry-run"])
    assert "unknown model" in capsys.readouterr().err


def test_push_uploads_one_folder_per_model(weights, monkeypatch):
    calls = []

    class FakeApi:
        def create_repo(self, repo_id, private, exist_ok):
            calls.append(("create", repo_id, private))

        def upload_folder(self, **kwargs):
            calls.append(("upload", kwargs["folder_path"], kwargs["path_in_repo"]))

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    assert hub.main(["push", "--repo-id", "me/gan-zoo", "--private"]) == 0
    assert calls == [
        ("create", "me/gan-zoo", True),
        ("upload", str(weights / "dcgan"), "dcgan"),
        ("upload", str(weights / "wgan"), "wgan"),
    ]


def test_push_reports_network_failure(weights, monkeypatch, capsys):
    import huggingface_hub

    class Unreachable:
        def create_repo(self, *a, **k):
            raise ConnectionError("no route to huggingface.co")

    monkeypatch.setattr(huggingface_hub, "HfApi", Unreachable)
    assert hub.main(["push", "--repo-id", "me/gan-zoo"]) == 1
    assert "no route" in capsys.readouterr().err


def test_models_list_in_natural_order(tmp_path):
    for name in ("cyclegan-lambda10", "cyclegan-lambda3", "basic-gan", "cyclegan-lambda15", "cyclegan-lambda0"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
        (tmp_path / name / "model.safetensors").write_bytes(b"")
    (tmp_path / "runs-leftover").mkdir()  # no model files: not a model
    expected = ["basic-gan", "cyclegan-lambda0", "cyclegan-lambda3", "cyclegan-lambda10", "cyclegan-lambda15"]
    assert zoo.list_models(tmp_path) == expected
