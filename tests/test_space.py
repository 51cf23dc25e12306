"""python -m zoo.space: the assembled Space folders hold the right files, front matter and requirements."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub import SpaceCard

from zoo import space


@pytest.fixture
def weights(tiny_weights: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.setenv("GAN_ZOO_DATA", str(tiny_data))
    return tiny_weights


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_gradio_space(weights: Path, tmp_path: Path) -> None:
    out = tmp_path / "space-gradio"
    assert space.main(["--sdk", "gradio", "--out", str(out), "--models", "dcgan", "cyclegan-lambda10"]) == 0
    files = files_in(out)
    assert {"README.md", "LICENSE", "app.py", "requirements.txt"} <= files
    assert {"zoo/__init__.py", "zoo/latent.py", "zoo/hub.py"} <= files
    assert {"weights/dcgan/config.json", "weights/dcgan/model.safetensors", "weights/dcgan/training_log.jsonl"} <= files
    assert "weights/cyclegan-lambda10/model.safetensors" in files
    assert not any(f.startswith(("weights/basic-gan", "pages/", "train/", "tests/", "data/")) for f in files)
    assert "Dockerfile" not in files
    assert (out / "app.py").read_text() == (space.REPO_ROOT / "gradio_app.py").read_text()
    card = SpaceCard.load(out / "README.md")
    assert card.data.sdk == "gradio" and card.data.app_file == "app.py"
    assert card.data.sdk_version == space.version_of("gradio") == "6.31.0"
    requirements = (out / "requirements.txt").read_text().splitlines()
    assert requirements[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    assert "torch==2.14.1+cpu" in requirements and "gradio==6.31.0" in requirements
    assert not any(r.startswith(("streamlit", "torchvision")) for r in requirements)


def test_docker_space_for_streamlit(weights: Path, tmp_path: Path) -> None:
    out = tmp_path / "space-docker"
    space.build_space("docker", out)
    files = files_in(out)
    assert {"README.md", "LICENSE", "Dockerfile", "app.py", "requirements.txt"} <= files
    assert {"pages/_common.py", "pages/home.py"} <= files
    assert ".streamlit/config.toml" in files
    assert {"data/MNIST/raw/train-images-idx3-ubyte.gz", "data/USPS/usps.h5"} <= files
    assert {f"weights/{n}/model.safetensors" for n in ("dcgan", "basic-gan", "classifier-usps")} <= files
    assert "gradio_app.py" not in files
    card = SpaceCard.load(out / "README.md")
    assert card.data.sdk == "docker" and card.data.app_port == 8501
    dockerfile = (out / "Dockerfile").read_text()
    assert "useradd -m -u 1000 user" in dockerfile and "USER user" in dockerfile
    assert '"streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"' in dockerfile
    requirements = (out / "requirements.txt").read_text()
    assert "torch==2.14.1+cpu" in requirements and "streamlit-drawable-canvas==0.13.0" in requirements
    assert "gradio" not in requirements
    # the bundled zoo finds the bundled weights and data on its own, from the Space's working directory
    probe = "import zoo, zoo.data; print(zoo.list_models()); print(zoo.data.resolve_data_dir(None, 'usps'))"
    env = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=out, env=env, capture_output=True, text=True, timeout=99)
    assert result.returncode == 0, result.stderr
    listed, data_dir = result.stdout.splitlines()
    assert "'dcgan'" in listed and "'cyclegan-lambda0'" in listed
    assert Path(data_dir).resolve() == (out / "data").resolve()


def test_space_refuses_unknown_models_existing_folders_and_no_weights(
    weights: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    assert space.main(["--sdk", "gradio", "--out", str(tmp_path / "a"), "--models", "wgan"]) == 2
    assert "wgan" in capsys.readouterr().err
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep.txt").write_text("x")
    with pytest.raises(space.SpaceError, match="--force"):
        space.build_space("gradio", tmp_path / "b", ["dcgan"])
    # --force replaces only a Space this command wrote: `--out . --force` in a checkout must not delete it
    with pytest.raises(space.SpaceError, match="not a Space folder this command wrote"):
        space.build_space("gradio", tmp_path / "b", ["dcgan"], force=True)
    assert (tmp_path / "b" / "keep.txt").read_text() == "x"
    space.build_space("gradio", tmp_path / "s", ["dcgan"])
    (tmp_path / "s" / "stale.txt").write_text("from an earlier build")
    written = space.build_space("docker", tmp_path / "s", ["dcgan"], data=False, force=True)
    assert not (tmp_path / "s" / "stale.txt").exists() and "sdk: docker" in (tmp_path / "s" / "README.md").read_text()
    assert all(path.is_file() and path.is_relative_to(tmp_path / "s") for path in written)
    # a build that fails half-way leaves the previous Space as it was, and no staging folder behind
    monkeypatch.setattr(space, "readme_text", lambda *args: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(space.SpaceError, match="No space left.*nothing was replaced"):
        space.build_space("gradio", tmp_path / "s", ["dcgan"], force=True)
    assert "sdk: docker" in (tmp_path / "s" / "README.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    (tmp_path / "a-file").write_text("x")
    assert space.main(["--sdk", "gradio", "--out", str(tmp_path / "a-file"), "--models", "dcgan"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path / "empty"))
    with pytest.raises(space.SpaceError, match="No model folders"):
        space.build_space("docker", tmp_path / "c")
    with pytest.raises(space.SpaceError, match="sdk"):
        space.build_space("streamlit", tmp_path / "d", ["dcgan"])


def test_docker_space_without_data(weights: Path, tmp_path: Path) -> None:
    out = tmp_path / "nodata"
    assert space.main(["--sdk", "docker", "--out", str(out), "--no-data", "--models", "dcgan"]) == 0
    assert not (out / "data").exists()


def test_streamlit_binds_loopback_locally_and_the_docker_space_all_interfaces(weights: Path, tmp_path: Path) -> None:
    """Issue 13: `streamlit run app.py` listened on every interface; locally it must be this machine only."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    local = tomllib.loads((space.REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert local["server"]["address"] == "127.0.0.1"
    out = tmp_path / "space-docker"
    space.build_space("docker", out, models=["dcgan"], data=False)
    shipped = tomllib.loads((out / ".streamlit" / "config.toml").read_text())
    assert shipped["server"]["address"] == "127.0.0.1"  # the same file: the Dockerfile's flag overrides it
    assert '"--server.address=0.0.0.0"' in (out / "Dockerfile").read_text()
    assert "GRADIO_SERVER_NAME" in space.__doc__ and "0.0.0.0" in space.__doc__
