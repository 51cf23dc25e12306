"""train.live: the live-training engine (a train.loop.Run in a worker thread) stops when asked, when its page is
gone and when it fails; the server-wide cap; bounded logs; saved models load."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import torch

import train.dcgan
import zoo
from train import live
from zoo import folder

TINY = {"--g-width": 4, "--d-width": 4, "--batch-size": 8, "--precision": "fp32"}


def tiny_training(data: Path, model: str = "dcgan", **kwargs) -> live.LiveTraining:
    settings = {**TINY, **kwargs.pop("settings", {})}
    if model == "basic-gan":  # no width flags
        settings = {k: v for k, v in settings.items() if "width" not in k}
    extra = ["--data-dir", str(data), "--limit", "64"]
    return live.LiveTraining(model, settings, extra_argv=extra, **kwargs)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _no_leftover_trainings(monkeypatch):
    monkeypatch.setenv(live.LIVE_MAX_ENV, "1")
    yield
    assert live.running() == 0, "a test left a live training holding the server's slot"


def test_runs_pauses_resumes_and_stops_when_asked(tiny_data: Path) -> None:
    training = tiny_training(tiny_data).start()
    try:
        wait_for(lambda: training.snapshot().step >= 3 and training.snapshot().images_per_s > 0)  # rate: each 1 s
        snap = training.snapshot()
        assert snap.state == "running" and snap.grid.shape == (64, 1, 28, 28)
        assert {"loss_d", "loss_g", "d_real", "d_fake", "step", "wall_time"} <= set(snap.log[-1])
        training.pause()
        wait_for(lambda: training.snapshot().state == "paused")
        paused_at = training.snapshot().step
        time.sleep(0.5)
        training.heartbeat()
        assert training.snapshot().step == paused_at and live.running() == 1  # a paused training keeps its slot
        training.resume()
        wait_for(lambda: training.snapshot().step > paused_at)
    finally:
        training.stop()
    assert not training.alive and training.snapshot().state == "stopped" and live.running() == 0
    assert "Stopped at step" in training.snapshot().message


def test_stops_when_its_page_stops_sending_heartbeats(tiny_data: Path) -> None:
    training = tiny_training(tiny_data, heartbeat_timeout=0.5).start()
    wait_for(lambda: not training.alive)
    assert training.snapshot().state == "stopped" and "page was closed" in training.snapshot().message
    assert live.running() == 0


def test_finishes_at_its_steps_and_lets_the_data_go(tiny_data: Path) -> None:
    training = tiny_training(tiny_data, settings={"--steps": 4}, score_every=2, classifier=_classifier()).start()
    wait_for(lambda: not training.alive)
    snap = training.snapshot()
    assert snap.state == "finished" and snap.step == 4 and not snap.active
    assert training._run.streams == [] and training._run.recipe.datasets == []


def test_the_server_runs_at_most_its_limit_and_tells_the_next_user(tiny_data: Path, monkeypatch) -> None:
    first = tiny_training(tiny_data).start()
    try:
        second = tiny_training(tiny_data)
        with pytest.raises(live.ServerBusy, match=r"already training 1 model live.*GAN_ZOO_LIVE_MAX=1"):
            second.start()
        assert not second.alive and live.running() == 1
        monkeypatch.setenv(live.LIVE_MAX_ENV, "2")
        second.start()
        assert live.running() == 2
        second.stop()
    finally:
        first.stop()
    monkeypatch.delenv(live.LIVE_MAX_ENV)
    assert live.max_concurrent() >= 1


def _classifier() -> zoo.DigitClassifier:
    torch.manual_seed(0)
    return zoo.DigitClassifier(width=4, feature_dim=16).eval()


@pytest.mark.parametrize("model", ["dcgan", "wgan", "basic-gan", "otgan"])
def test_save_as_model_writes_a_folder_every_page_can_load(model: str, tiny_data: Path, tmp_path: Path, monkeypatch):
    import train.wgan

    monkeypatch.setattr(train.wgan, "WARMUP_CRITIC_ITERS", 2)
    settings = {"--sinkhorn-iters": 10} if model == "otgan" else {}  # any trainer flag, not only the page's knobs
    training = tiny_training(tiny_data, model, settings=settings, classifier=_classifier(), score_every=2).start()
    try:
        wait_for(lambda: training.snapshot().step >= 4)
        saved = training.save("live-test", root=tmp_path)
        with pytest.raises(ValueError, match="already exists"):
            training.save("live-test", root=tmp_path)
        with pytest.raises(ValueError, match="lower-case"):
            training.save("../escape", root=tmp_path)
    finally:
        training.stop()
    generator = zoo.load(saved)
    assert isinstance(generator, zoo.Generator) and generator.sample(2, seed=0).shape == (2, 1, 28, 28)
    assert zoo.load(folder.discriminator_folder(saved)).kind == "discriminator"
    info = folder.read_training(saved)
    assert info["origin"] == "live" and info["steps"] >= 4
    assert f"--steps {info['steps']} --out runs/live-test" in info["command"]
    assert info["command"].startswith(f"python -m {live.MODELS[model]} ")
    card = (saved / folder.CARD).read_text()
    assert "**Trained live**" in card and folder.samples(saved) is not None
    snap = training.snapshot()
    assert snap.scores and 1.0 <= snap.scores[-1]["inception_score"] <= 10.0
    assert sum(snap.scores[-1][f"digit_{d}"] for d in range(10)) == pytest.approx(1.0)
    zip_bytes = live.zip_folder(saved)
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(zip_bytes)).namelist()
    assert "live-test/config.json" in names and "live-test/discriminator/model.safetensors" in names


def test_a_saved_model_can_be_taken_after_the_training_stopped(tiny_data: Path, tmp_path: Path) -> None:
    training = tiny_training(tiny_data).start()
    wait_for(lambda: training.snapshot().step >= 2)
    training.stop()
    saved = training.save("after-stop", root=tmp_path)
    assert json.loads((saved / folder.CONFIG).read_text())["arch"] == "dcgan"


def test_failures_end_with_a_reason_not_a_dead_thread(tiny_data: Path, tmp_path: Path, monkeypatch) -> None:
    training = tiny_training(tmp_path / "no-data").start()  # the data is read in the worker: the failure shows there
    wait_for(lambda: not training.alive)
    assert training.snapshot().state == "failed" and "MNIST" in training.snapshot().message
    with pytest.raises(RuntimeError, match="nothing worth saving"):
        training.save("nothing", root=tmp_path)

    import train.dcgan

    real_build = train.dcgan.build

    def diverging(args, rt):
        recipe = real_build(args, rt)
        recipe.step = lambda i, draw: {"loss_d": float("nan")}
        return recipe

    monkeypatch.setattr(train.dcgan, "build", diverging)
    training = tiny_training(tiny_data).start()
    wait_for(lambda: not training.alive)
    assert training.snapshot().state == "failed" and "non-finite loss at step 0" in training.snapshot().message
    with pytest.raises(RuntimeError, match="nothing worth saving"):
        training.save("diverged", root=tmp_path)


def test_presets_and_knobs_are_valid_trainer_arguments() -> None:
    for key, preset in live.PRESETS.items():
        training = live.LiveTraining(preset.model, preset.settings)  # parsed by the trainer, not started
        for knob in live.knobs(preset.model):
            assert getattr(training.args, knob.dest) == training.settings[knob.flag], (key, knob.flag)
        assert preset.look_for.endswith(".") and preset.look_for.count(". ") == 0, key  # one sentence
    assert live.LiveTraining("wgan", {"--clip": live.OFF}).args.clip == 1e9  # "no clipping" validates
    mlp = live.LiveTraining("basic-gan").args  # the 2014 sizes live, though the shipped recipe is wider
    assert (mlp.g_hidden, mlp.d_hidden) == ([256, 512, 1024], [1024, 512, 256])
    for model in live.MODELS:
        defaults = live.default_settings(model)
        assert all(defaults[k.flag] in k.options for k in live.knobs(model)), model
    assert live.default_settings("dcgan")["--lr"] == 2e-4 and live.default_settings("wgan")["--lr-d"] is None
    assert live.default_settings("dcgan")["--lr-d"] == train.dcgan.DEFAULTS["lr_d"]  # the shipped two time-scale
    argv = live.trainer_argv("dcgan", {"--lr": 5e-4, "--lr-d": None, "--g-layers": 3})
    assert argv == ["--lr", "0.0005", "--g-layers", "3"]
    with pytest.raises(ValueError, match="refuses these settings"):
        live.LiveTraining("dcgan", {"--g-layers": 7})


def test_logs_stay_bounded_and_keep_the_whole_run() -> None:
    log = live.ThinLog(max_points=10)
    for step in range(1, 1001):
        log.append({"step": step, "wall_time": step / 10, "loss": float(step)})
    assert len(log.points) <= 10 and log.points[-1]["step"] == 1000  # the window under way is the last point
    assert log.points[0]["step"] <= 128  # the start is still there, averaged
    assert log.points[0]["loss"] == pytest.approx((1 + log.points[0]["step"]) / 2)
    assert [p["step"] for p in log.points] == sorted(p["step"] for p in log.points)
