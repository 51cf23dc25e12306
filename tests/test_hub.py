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
from zoo import folder, hub
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


class FakeApi:
    """Records what a push sends: repositories created and commits with their operations' paths and bytes."""

    calls: list = []

    def create_repo(self, repo_id, private, exist_ok):
        self.calls.append(("create", repo_id, private))

    def create_commit(self, repo_id, operations, commit_message):
        files = {}
        for op in operations:
            source = op.path_or_fileobj
            files[op.path_in_repo] = source if isinstance(source, bytes) else Path(source).read_bytes()
        self.calls.append(("commit", repo_id, files))

    def upload_folder(self, **kwargs):
        raise AssertionError("upload_folder's patterns upload more than the plan")


@pytest.fixture
def fake_api(monkeypatch):
    import huggingface_hub

    FakeApi.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    return FakeApi.calls


def test_push_uploads_exactly_the_plan_in_one_commit(weights, fake_api, capsys):
    (weights / "token.json").write_text('{"token": "hf_secret"}')  # stray files beside and inside the folders
    (weights / "dcgan" / "token.json").write_text('{"token": "hf_secret"}')
    (weights / "dcgan" / "old").mkdir()
    (weights / "dcgan" / "old" / "config.json").write_text("{}")
    assert hub.main(["push", "--repo-id", "me/gan-zoo", "--private", "--dry-run"]) == 0
    planned = {line.split(":", 1)[1] for line in capsys.readouterr().out.splitlines() if " -> " in line}
    assert hub.main(["push", "--repo-id", "me/gan-zoo", "--private"]) == 0
    assert fake_api[0] == ("create", "me/gan-zoo", True)
    assert len(fake_api) == 2 and fake_api[1][0] == "commit"  # one commit for everything
    uploaded = fake_api[1][2]
    files = ("config.json", "model.safetensors", "README.md")
    assert set(uploaded) == planned == {f"{m}/{f}" for m in ("dcgan", "wgan") for f in files} | {"dcgan/metrics.json"}
    assert uploaded["dcgan/model.safetensors"] == (weights / "dcgan" / "model.safetensors").read_bytes()


def test_push_plans_a_gans_discriminator_beside_it(weights):
    from zoo.models import DCGANDiscriminator

    torch.manual_seed(0)
    folder.save_discriminator(DCGANDiscriminator(width=4), weights / "dcgan")
    planned = {repo_path for _, repo_path in hub.upload_plan(["dcgan"], weights)}
    assert {"dcgan/discriminator/config.json", "dcgan/discriminator/model.safetensors"} <= planned
    (weights / "dcgan" / "discriminator" / "model.safetensors").write_bytes(b"broken")
    with pytest.raises(ModelLoadError):
        hub.upload_plan(["dcgan"], weights)  # a broken discriminator is never published either


def test_published_files_hold_no_local_paths(weights, fake_api, capsys, monkeypatch):
    home = "/home/alice"
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: Path(home)))
    command = f"python -m train.dcgan --out {home}/gan/runs/dcgan --data-dir={home}/data --steps 10"
    training = {"command": command, "arguments": {"out": f"{home}/gan/runs/dcgan", "data_dir": f"{home}/data"}}
    (weights / "dcgan" / "training.json").write_text(json.dumps(training, indent=2))
    card = weights / "dcgan" / "README.md"
    card.write_text(card.read_text() + f"\n```bash\n{command}\n```\nSee [the log](https://hf.co/alice/x).\n")
    (weights / "dcgan" / "notes.md").write_text(f"Tried a longer run in {home}/gan/runs/dcgan-long: worse.\n")
    assert hub.main(["push", "--repo-id", "me/gan-zoo", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dcgan/training.json (local paths replaced)" in out and "dcgan/README.md (local paths replaced)" in out
    assert hub.main(["push", "--repo-id", "me/gan-zoo"]) == 0
    uploaded = fake_api[1][2]
    assert not any(home.encode() in content for content in uploaded.values())
    published = json.loads(uploaded["dcgan/training.json"])
    assert published["command"] == "python -m train.dcgan --out dcgan --data-dir=data --steps 10"
    assert published["arguments"] == {"out": "dcgan", "data_dir": "data"}
    assert b"--out dcgan --data-dir=data" in uploaded["dcgan/README.md"]
    assert b"https://hf.co/alice/x" in uploaded["dcgan/README.md"]  # not a local path: left alone
    assert uploaded["dcgan/notes.md"] == b"Tried a longer run in dcgan-long: worse.\n"
    assert (weights / "dcgan" / "training.json").read_text().count(home) == 4  # the local files are unchanged


@pytest.mark.parametrize("repo_id", ["gan-zoo", "me/gan zoo", "me/gan/zoo", "../etc", "me/gan--zoo", "me/x.git", ""])
def test_push_refuses_a_bad_repo_id_in_one_line(weights, fake_api, capsys, repo_id):
    with pytest.raises(SystemExit) as exit_info:
        hub.main(["push", "--repo-id", repo_id, "--dry-run"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --repo-id" in err and "Traceback" not in err
    with pytest.raises(ValueError, match="OWNER/NAME|not a valid repository id"):
        hub.push(repo_id, ["dcgan"])
    assert fake_api == []


def test_push_refuses_folders_whose_weights_do_not_load(weights, fake_api, capsys):
    from safetensors.torch import load_file, save_file

    path = weights / "wgan" / "model.safetensors"
    state = load_file(str(path))
    save_file({k: v * float("nan") if v.is_floating_point() else v for k, v in state.items()}, str(path))
    assert hub.main(["push", "--repo-id", "me/gan-zoo"]) == 2
    err = capsys.readouterr().err
    assert "wgan/model.safetensors contain NaN" in err and "Traceback" not in err
    assert fake_api == []  # nothing uploaded, not even the healthy dcgan


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


# --- a Hub that accepts connections and never answers ---


@pytest.fixture
def silent_hub():
    """A local endpoint that accepts every connection and never sends a byte (a hung proxy or server)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_silent_hub_cannot_hang_a_load(weights, tmp_path, silent_hub):
    env = {"HF_ENDPOINT": silent_hub, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0"}
    code = """
import time
import zoo
from zoo.models import ModelLoadError
import huggingface_hub  # imported before the clocks run: an import on a busy CPU is not the Hub's wait
t = time.monotonic()
zoo.load("dcgan", source="local")
local = time.monotonic() - t
t = time.monotonic()
model = zoo.load("dcgan", source="auto", repo_id="someone/gan-zoo")
print("first", type(model).__name__, round(time.monotonic() - t - local, 1))
t = time.monotonic()
zoo.load("wgan", source="auto", repo_id="someone/gan-zoo")
print("again", round(time.monotonic() - t, 1))
t = time.monotonic()
try:
    zoo.load("dcgan", source="hub", repo_id="someone/gan-zoo", timeout=2)
except ModelLoadError as err:
    print("hub:", err, round(time.monotonic() - t, 1))
"""
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    kind, seconds = lines["first"].split()
    # the deadline, then the local folder: its own loading time is taken off (seconds on a busy 2-core machine)
    assert kind == "DCGANGenerator" and float(seconds) < hub.DEADLINES["auto"] + 3
    assert "did not answer within 5 s" in result.stderr and "using the local folder" in result.stderr
    assert float(lines["again"]) < 1  # the Hub is not retried at once
    assert lines["hub:"].startswith("The Hub did not answer within 2 s while fetching 'dcgan' from someone/gan-zoo")
    assert float(lines["hub:"].split()[-1]) < 5


def test_every_hub_request_gets_finite_timeouts(silent_hub):
    """Even a call for which huggingface_hub passes timeout=None (repo_info does) ends by itself."""
    code = f"""
import time
from huggingface_hub.utils import get_session
from zoo import folder, hub
hub.HUB_TIMEOUTS.update(connect=1.0, read=1.0)
hub.bound_hub_timeouts()
t = time.monotonic()
try:
    get_session().get("{silent_hub}/api/models/someone/gan-zoo", timeout=None)
except Exception as err:
    print(type(err).__name__, round(time.monotonic() - t, 1))
"""
    result = _run(code, {})
    assert result.returncode == 0, result.stderr
    name, seconds = result.stdout.split()
    assert name == "ReadTimeout" and float(seconds) < 3


@pytest.mark.parametrize("module", ["zoo.hub", "zoo.evaluate", "zoo.space"])
def test_the_packages_commands_run_without_a_warning(module, weights):
    """`python -m zoo.hub list` printed a RuntimeWarning (the package had imported zoo.hub before running it as
    __main__) on every call: each `python -m zoo.X` command starts clean."""
    args = ["list"] if module == "zoo.hub" else ["--help"]
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "GAN_ZOO_WEIGHTS": str(weights)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout
    if module == "zoo.hub":
        assert result.stdout.split() == ["dcgan", "wgan"]
