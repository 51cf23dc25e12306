"""The three pages that show the game being played (AppTest, tiny models): Train live, the discriminator's view and
optimal transport. The live training is real: a tiny DCGAN on tiny data, in the page's background thread."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import make_tiny_weights
from test_app import open_page, plotly_figures, rerun, serve

import zoo
from train import live

pytest.importorskip("streamlit")
import streamlit as st  # noqa: E402


@pytest.fixture(scope="module")
def gan_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_weights(tmp_path_factory.mktemp("gan-weights"), lambdas=(), gans=True)


@pytest.fixture
def gan_env(gan_weights: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(live.LIVE_MAX_ENV, "1")
    yield serve(gan_weights, tiny_data, monkeypatch)
    st.cache_resource.clear()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- Train live ---


def tiny_knobs(at):
    for key, value in (("dcgan_g_width", 4), ("dcgan_d_width", 4), ("dcgan_batch_size", 16), ("every", 50)):
        at = rerun(at.select_slider(key=key).set_value(value))
    return at


def refresh_until(at, condition, timeout: float = 90.0):
    """Rerun the page (as its fragment does every second) until ``condition(at)``."""
    deadline = time.monotonic() + timeout
    while True:
        at = rerun(at)
        if condition(at):
            return at
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def progress_text(at) -> str:
    return at.get("progress")[0].proto.text


def test_train_live_starts_refreshes_pauses_saves_and_resets(gan_env: Path) -> None:
    at = open_page("train_live")
    assert at.selectbox(key="preset").value == "dcgan-fast" and at.radio(key="live_model").value == "dcgan"
    assert "What to look for" in at.info[0].value
    assert at.select_slider(key="dcgan_g_layers").value == 3  # the preset's, over the trainer's default of 4
    at = rerun(at.selectbox(key="preset").select("no-clip"))
    assert at.radio(key="live_model").value == "wgan" and at.select_slider(key="wgan_clip").value == live.OFF
    assert "What to look for" in at.warning[0].value  # a failure shown on purpose
    at = rerun(at.selectbox(key="preset").select("dcgan-fast"))
    at = rerun(tiny_knobs(at).button(key="start").click())
    training = at.session_state["live"]
    try:
        assert at.select_slider(key="dcgan_lr").disabled and at.button(key="start").disabled
        at = refresh_until(at, lambda a: len(a.image) == 1 and len(plotly_figures(a)) >= 2)
        titles = {f["layout"].get("title", {}).get("text") for f in plotly_figures(at)}
        assert {"Losses", "D(real) and D(fake)"} <= titles
        at = refresh_until(at, lambda a: "Inception Score (500 samples)" in metrics(a))
        assert "Running" in progress_text(at) and "images/s" in progress_text(at)
        at = rerun(at.button(key="pause").click())
        at = refresh_until(at, lambda a: "Paused" in progress_text(a))
        assert at.button(key="resume")
        at = rerun(at.text_input(key="save_name").input("live-dcgan-test"))
        at = rerun(at.button(key="save").click())
        assert "Saved to" in at.success[0].value and not at.error
        saved = gan_env / "live-dcgan-test"
        assert isinstance(zoo.load(saved), zoo.DCGANGenerator) and (saved / "discriminator").is_dir()
        assert "live-dcgan-test" in zoo.list_models()
        at = rerun(at.button(key="resume").click())
        at = refresh_until(at, lambda a: "Running" in progress_text(a))
    finally:
        at = rerun(at.button(key="reset").click())
    assert "live" not in at.session_state and not training.alive and live.running() == 0
    assert not at.button(key="start").disabled
    for file in sorted(saved.rglob("*"), reverse=True):
        file.unlink() if file.is_file() else file.rmdir()
    saved.rmdir()


def test_a_closed_session_stops_its_training_and_the_next_user_is_told(gan_env: Path) -> None:
    first = open_page("train_live")
    first = rerun(tiny_knobs(first).button(key="start").click())
    training = first.session_state["live"]
    try:
        second = rerun(tiny_knobs(open_page("train_live")).button(key="start").click())
        assert "already training 1 model live" in second.error[0].value and "live" not in second.session_state
        assert "at most 1 model(s) at once (now 1)" in second.caption[-1].value
    finally:
        training.heartbeat_timeout = 2.0  # (10 s on a server) so that the test need not wait long
        del first  # the tab closes: no more refreshes, no more heartbeats
    deadline = time.monotonic() + 60
    while training.alive:
        assert time.monotonic() < deadline, "the training outlived its session"
        time.sleep(0.2)
    assert "page was closed" in training.snapshot().message and live.running() == 0


# --- the discriminator's view ---


def test_discriminator_page_reads_a_digit_with_every_discriminator(gan_env: Path) -> None:
    at = open_page("discriminator")
    assert "Draw a digit" in at.info[0].value
    at = rerun(at.radio(key="source").set_value("mnist"))
    readings = metrics(at)
    assert list(readings) == [
        "MLP GAN: D(x)",
        "DCGAN: D(x)",
        "WGAN: critic f(x)",
        "OT-GAN: 1 − cos to the real batch",
    ]
    assert len(at.image) == 1 + 4 + 9  # the digit, four saliency maps, the ascent's start and 8 steps
    frames = [img.proto.imgs[0].caption for img in at.image[5:]]
    assert frames[0].startswith("start: ") and frames[8].startswith("step 8: ") and "reads" in frames[0]
    at = rerun(at.slider(key="steps").set_value(3))
    assert len(at.image) == 1 + 4 + 4
    at = rerun(at.selectbox(key="ascend_with").select("wgan"))
    assert "critic f(x) of WGAN" in at.caption[-1].value
    at = rerun(at.number_input(key="mnist_index").set_value(5))
    assert metrics(at) != readings
    at = rerun(at.radio(key="source").set_value("generated"))
    at = rerun(at.selectbox(key="generator").select("otgan"))
    assert any("drawn by OT-GAN's generator, seed 0" in c.value for c in at.caption)
    at = rerun(at.radio(key="source").set_value("upload"))
    assert "Upload a picture" in at.info[0].value


def test_discriminator_page_without_discriminators_says_how_to_export_one(tiny_weights, tiny_data, monkeypatch):
    serve(tiny_weights, tiny_data, monkeypatch)
    at = open_page("discriminator")
    assert "python -m train.export_discriminator" in at.warning[0].value and not at.image
    st.cache_resource.clear()


# --- optimal transport ---


def test_transport_page_plan_sharpens_as_epsilon_falls_in_both_spaces(gan_env: Path) -> None:
    at = open_page("transport")
    assert at.radio(key="space").value == "critic" and not at.radio(key="space").disabled
    assert len(at.image) == 1 and len(plotly_figures(at)) == 1
    plan = plotly_figures(at)[0]
    assert plan["layout"]["annotations"][1]["text"].startswith("Plan at ε = 0.01")
    sharp = {}
    for eps in (1.0, 0.002):
        at = rerun(at.select_slider(key="epsilon").set_value(eps))
        sharp[eps] = float(metrics(at)["Mass sent to the best match"].rstrip(" %"))
    assert sharp[1.0] < sharp[0.002]
    critic_cost = metrics(at)["Sinkhorn distance W(real, generated)"]
    at = rerun(at.radio(key="space").set_value("pixels"))
    assert metrics(at)["Sinkhorn distance W(real, generated)"] != critic_cost
    at = rerun(at.slider(key="n").set_value(5))
    assert len(plotly_figures(at)[0]["data"][1]["z"]) == 5


def test_transport_page_without_otgan_uses_pixels_and_another_generator(tiny_weights, tiny_data, monkeypatch):
    serve(tiny_weights, tiny_data, monkeypatch)
    at = open_page("transport")
    assert at.radio(key="space").value == "pixels" and at.radio(key="space").disabled
    assert "generated batch comes from `dcgan`" in at.info[0].value
    assert any("not shipped beside its generator" in c.value for c in at.caption)
    st.cache_resource.clear()
