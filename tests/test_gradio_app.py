"""The Gradio front end: its handlers called directly with tiny models, and one call through the served API."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
gr = pytest.importorskip("gradio")
from conftest import make_tiny_weights  # noqa: E402

import gradio_app  # noqa: E402
from zoo import images  # noqa: E402


@pytest.fixture
def weights(tiny_weights: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    return tiny_weights


def sketch_of_a_one() -> dict:
    """What gr.Sketchpad sends: strokes on a transparent RGBA canvas, in "composite"."""
    layer = np.zeros((280, 280, 4), dtype=np.uint8)
    layer[40:240, 130:150] = (0, 0, 0, 255)
    return {"background": None, "layers": [layer], "composite": layer}


def test_translate_sketch_returns_the_four_stages_and_readings(weights: Path) -> None:
    pictures, text = gradio_app.translate_sketch(sketch_of_a_one(), "cyclegan-lambda10")
    assert [p.size for p in pictures] == [(112, 112)] * 4
    source = np.asarray(pictures[0])
    assert source[:, 40:72].max() == 255 and source[:, :20].max() == 0  # a centred vertical bar, black around it
    assert "λ = 10" in text and text.count("classifier reads") == 3
    other, _ = gradio_app.translate_sketch(sketch_of_a_one(), "cyclegan-lambda0")
    assert np.asarray(other[0]).tobytes() == source.tobytes()  # same input…
    assert np.asarray(other[1]).tobytes() != np.asarray(pictures[1]).tobytes()  # …another model's G(x)


def test_translate_sketch_empty_or_missing_gives_readable_errors(weights: Path) -> None:
    empty = {"background": None, "layers": [], "composite": np.zeros((280, 280, 4), dtype=np.uint8)}
    with pytest.raises(gr.Error, match="empty"):
        gradio_app.translate_sketch(empty, "cyclegan-lambda10")
    with pytest.raises(gr.Error, match="Draw a digit"):
        gradio_app.translate_sketch(None, "cyclegan-lambda10")
    with pytest.raises(gr.Error, match="not available"):
        gradio_app.translate_sketch(sketch_of_a_one(), "cyclegan-lambda6")
    with pytest.raises(gr.Error, match="not a CycleGAN"):
        gradio_app.translate_sketch(sketch_of_a_one(), "dcgan")


def test_latent_walk_strip_and_gif_from_memory(weights: Path) -> None:
    """Issue 14: each walk left a GIF in /tmp for ever; now nothing is written (Gradio caches what it serves)."""
    before = set(Path(tempfile.gettempdir()).iterdir())
    strip, gif = gradio_app.latent_walk("dcgan", "0, 1, 2", 5, "slerp")
    assert strip.size == (2 * (9 * 30 + 2), 2 * 32)  # (3 − 1)·(5 − 1) + 1 = 9 frames
    assert gif.format == "GIF" and gif.size == (224, 224) and gif.n_frames > 9  # boomerang: there and back
    assert set(Path(tempfile.gettempdir()).iterdir()) == before
    other, small = gradio_app.latent_walk("dcgan", "0, 1, 3", 5, "slerp", 112)
    assert np.asarray(other).tobytes() != np.asarray(strip).tobytes() and small.size == (112, 112)
    wrapped, _ = gradio_app.latent_walk("dcgan", "0, 1, 2", 32, "slerp")
    assert wrapped.size == (2 * (16 * 30 + 2), 2 * (4 * 30 + 2))  # 63 frames in rows of 16, 56 pixels each
    with pytest.raises(gr.Error, match="at least 2 seeds"):
        gradio_app.latent_walk("dcgan", "4", 5, "slerp")


def test_vector_arithmetic_preset_then_result(weights: Path) -> None:
    grid, a, b, c, description = gradio_app.arithmetic_preset("dcgan", 0)
    assert grid.size == (8 * 60 - 4, 8 * (56 + images.CAPTION_SIZE + 5 + 4) - 4)  # 64 tiles, each numbered
    assert description.startswith("Preset: ")
    assert all(len(g.split(",")) == 3 for g in (a, b, c))
    result, text = gradio_app.vector_arithmetic("dcgan", 0, a, b, c)
    assert result.size[0] == 4 * 140 + 3 * 4  # four tiles of one size, at 5×
    assert text.count("**") == 8 and "A − B + C" in text
    changed, _ = gradio_app.vector_arithmetic("dcgan", 0, a, b, "1, 2")
    assert np.asarray(changed).tobytes() != np.asarray(result).tobytes()
    with pytest.raises(gr.Error, match="Group B sample numbers must be whole numbers"):
        gradio_app.vector_arithmetic("dcgan", 0, a, "x", c)
    with pytest.raises(gr.Error, match="0 to 63"):
        gradio_app.vector_arithmetic("dcgan", 0, a, "64", c)


@pytest.fixture
def served(weights: Path):
    """A client of the demo served on a free local port (closed afterwards)."""
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = gradio_app.build_demo()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    finally:
        demo.close()


def test_served_demo_answers_through_the_api(served) -> None:
    strip_path, gif_path = served.predict("dcgan", "0, 1", 4, "lerp", 112, api_name="/walk")
    assert Image.open(strip_path).size == (2 * (4 * 30 + 2), 2 * 32)
    data = Path(gif_path).read_bytes()
    assert data.startswith(b"GIF89a") and images.gif_frame_count(data) == 4 + 2  # animated, there and back
    with Image.open(gif_path) as gif:
        assert gif.size == (112, 112) and gif.info.get("duration") == 120


def _dropdown_values(demo: gr.Blocks) -> dict[str, str]:
    return {b.label: b.value for b in demo.blocks.values() if isinstance(b, gr.Dropdown)}


def test_sketchpad_defaults_to_the_semantic_translator(weights: Path, tmp_path: Path, monkeypatch) -> None:
    assert _dropdown_values(gradio_app.build_demo())["CycleGAN"] == "cyclegan-lambda10"
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(make_tiny_weights(tmp_path / "weights", semantic=True)))
    demo = gradio_app.build_demo()
    assert _dropdown_values(demo)["CycleGAN"] == "cyclegan-semantic"
    pictures, text = gradio_app.translate_sketch(sketch_of_a_one(), "cyclegan-semantic")
    assert len(pictures) == 4 and text.startswith("semantic (CyCADA), λ = 10.")
    assert text.count("classifier reads") == 3


# --- malformed input: every handler says what is wrong (issue 13) ---


@pytest.mark.parametrize(
    ("handler", "args", "message"),
    [
        ("latent_walk", (None, "0, 1", 4, "slerp"), "Choose a model: "),
        ("latent_walk", ("../../etc", "0, 1", 4, "slerp"), "'../../etc' is not available: installed are "),
        ("latent_walk", ("dcgan", 5, 4, "slerp"), "Type numbers separated by commas, got 5"),
        ("latent_walk", ("dcgan", "0, 18446744073709551616", 4, "slerp"), "Seeds are whole numbers from 0 to"),
        ("latent_walk", ("dcgan", ", ".join(map(str, range(60))), 32, "slerp"), "make 1830 frames; the limit is 128"),
        ("latent_walk", ("dcgan", "0, 1", "x", "slerp"), "Frames per leg must be a whole number from 2 to 32, got 'x'"),
        ("latent_walk", ("dcgan", "0, 1", float("nan"), "slerp"), "Frames per leg must be a whole number"),
        ("latent_walk", ("dcgan", "0, 1", 1000, "slerp"), "from 2 to 32, got 1000"),
        ("latent_walk", ("dcgan", "0, 1", 4, "cubic"), "Interpolation must be one of slerp, lerp, got 'cubic'"),
        ("arithmetic_preset", ("dcgan", None), "The seed of the grid must be a whole number from 0 to"),
        ("arithmetic_preset", ("dcgan", 2**70), "got 1180591620717411303424"),
        ("arithmetic_preset", ("dcgan", 1.5), "got 1.5"),
        ("arithmetic_preset", ("dcgan", "abc"), "got 'abc'"),
        ("vector_arithmetic", ("dcgan", 0, "1, 2", None, "3"), "Type numbers separated by commas, got None"),
        ("translate_sketch", ("garbage", "cyclegan-lambda10"), "The sketch must be an image, got str"),
        ("translate_sketch", ({"layers": []}, "cyclegan-lambda10"), "Draw a digit on the sketchpad first"),
        ("translate_sketch", (np.zeros((4, 4, 7), np.uint8), "cyclegan-lambda10"), "Expected 1, 3 or 4 channels"),
        ("translate_sketch", (np.zeros((3000, 3000), np.uint8), "cyclegan-lambda10"), "at most 2,000,000 pixels"),
        ("translate_sketch", (sketch_of_a_one(), "dcgan"), "not a CycleGAN"),
    ],
)
def test_handlers_refuse_malformed_input_with_a_reason(weights: Path, handler: str, args: tuple, message: str) -> None:
    with pytest.raises(gr.Error, match=re.escape(message)):
        getattr(gradio_app, handler)(*args)


def test_the_served_api_explains_malformed_requests(served, tmp_path: Path) -> None:
    """Through the API, where Gradio converts values before a handler sees them."""
    from gradio_client import handle_file
    from test_images import png_of_size

    calls = {
        "/walk": (("dcgan", "0, 1", "x", "lerp"), "Frames per leg: 'x' is not a value it takes"),
        "/preset": (("dcgan", "abc"), "Seed of the grid: 'abc' is not a value it takes"),
        "/translate": (("garbage", "cyclegan-lambda10"), "is not of the kind it takes"),
    }
    for api_name, (args, message) in calls.items():
        with pytest.raises(Exception, match=re.escape(message)):
            served.predict(*args, api_name=api_name)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_of_size(9400, 9400))
    sketch = {"background": None, "layers": [], "composite": handle_file(str(bomb))}
    with pytest.raises(Exception, match="9400×9400 pixels"):  # refused from its header, never decoded
        served.predict(sketch, "cyclegan-lambda10", api_name="/translate")


# --- issue 14: the command line, errors without tracebacks, pop-ups, the Streamlit app's other views ---


def test_help_prints_the_options_and_starts_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "gradio_app.py", "--help"],
        cwd=Path(gradio_app.__file__).parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "--host" in done.stdout and "--port" in done.stdout and "--share" in done.stdout
    assert "Running on" not in done.stdout + done.stderr


def test_main_passes_host_port_and_share_to_gradio(weights: Path, monkeypatch) -> None:
    launched = {}
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: launched.update(kw))
    monkeypatch.setattr(gradio_app.frontend, "serve_threads", lambda: 1)  # keep this process's thread count
    gradio_app.main(["--host", "0.0.0.0", "--port", "7999", "--share"])
    assert launched == {"server_name": "0.0.0.0", "server_port": 7999, "share": True}
    gradio_app.main([])
    assert launched == {"server_name": None, "server_port": None, "share": False}  # Gradio's defaults and env


def test_user_errors_are_short_pop_ups_without_a_traceback_in_the_log(served, capfd) -> None:
    with pytest.raises(Exception, match="at least 2 seeds"):
        served.predict("dcgan", "7", 4, "lerp", 224, api_name="/walk")
    assert "Traceback" not in "".join(capfd.readouterr())
    error = gradio_app.fail("x")
    assert error.print_exception is False and error.duration == gradio_app.ERROR_SECONDS


def test_selecting_a_tab_closes_the_pop_ups_and_served_pictures_are_cleaned_up(weights: Path) -> None:
    demo = gradio_app.build_demo()
    tabs = {b._id for b in demo.blocks.values() if isinstance(b, gr.Tab)}
    closing = {t for f in demo.fns.values() for t, event in f.targets if event == "select" and f.js}
    assert tabs and closing == tabs
    assert all(f.js == gradio_app.CLOSE_POPUPS for f in demo.fns.values() if f.targets[0][1] == "select")
    assert demo.delete_cache == gradio_app.CACHE_CLEANUP


def test_test_digits_lambda_comparison_and_gallery_like_the_streamlit_app(weights: Path, tiny_data, monkeypatch):
    monkeypatch.setenv("GAN_ZOO_DATA", str(tiny_data))
    pictures, text = gradio_app.translate_test_digit("mnist", 3, "cyclegan-lambda10")
    assert [p.size for p in pictures] == [(112, 112)] * 4 and text.startswith("Test digit 3, label 3. λ = 10.")
    _, text = gradio_app.translate_test_digit("usps", 5, "cyclegan-lambda10")
    assert "F(x): **MNIST classifier reads" in text
    assert 0 <= gradio_app.random_test_digit("usps") < 64
    with pytest.raises(gr.Error, match="The test digit number must be a whole number from 0 to 63"):
        gradio_app.translate_test_digit("mnist", 64, "cyclegan-lambda10")
    picture, verdicts, chart = gradio_app.lambda_comparison([1, 7], 0)
    assert picture.size[1] > 2 * 3 * 84  # two translators, three rows each
    assert verdicts.count("\n") == 1 and "(`cyclegan-lambda10`): USPS classifier reads" in verdicts
    assert chart is not None and [t.x for t in chart.data][0] == (0, 10)
    with pytest.raises(gr.Error, match="Pick at least one digit"):
        gradio_app.lambda_comparison([], 0)
    sheets, figures = gradio_app.gallery(0)
    assert [caption for _, caption in sheets] == ["MLP GAN", "DCGAN"] and figures == ""
