"""Every Streamlit page runs headless (AppTest) with tiny untrained models; its main widgets change its output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_tiny_weights

from zoo import catalog

pytest.importorskip("streamlit")
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60  # seconds per script run: generous for a loaded 2-core machine; a run takes well under one


def serve(weights: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The pages read these folders (no Hub), with Streamlit's caches emptied."""
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(weights))
    monkeypatch.setenv("GAN_ZOO_DATA", str(data))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    return weights


@pytest.fixture
def app_env(tiny_weights: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    yield serve(tiny_weights, tiny_data, monkeypatch)
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def image_urls(at: AppTest) -> list[tuple[str, ...]]:
    """Per image element, its media URLs: content hashes, so a different picture gives a different URL."""
    return [tuple(img.value) if isinstance(img.value, list) else (img.value,) for img in at.image]


def rerun(widget) -> AppTest:
    at = widget.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plotly_figures(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


# --- pages ---


def captions(at: AppTest) -> list[str]:
    return [img.proto.imgs[0].caption for img in at.image]


def test_gallery_leads_with_every_gan_side_by_side_and_opens_on_the_best(app_env: Path) -> None:
    """Issue 14: 1,600 pixels of tables came before the first digit, and the picker opened on basic-gan."""
    at = open_page("home")
    assert at.selectbox(key="model").value == "dcgan"  # the pages' best generator
    assert captions(at)[:2] == ["MLP GAN, seed 0", "DCGAN, seed 0"]  # pictures first, one seed for all
    assert any("32 samples of dcgan" in c for c in captions(at))
    before = image_urls(at)
    assert len(before) == 4  # two sheets, the samples, the samples above their nearest training digits
    assert [c.value for c in at.caption[:2]] == ["[model card](?model=basic-gan)", "[model card](?model=dcgan)"]
    figures = plotly_figures(at)
    titles = {f["layout"]["title"]["text"] for f in figures}
    assert titles == {"Losses", "Throughput (images/s)"}
    at = rerun(at.number_input(key="seed").set_value(7))
    assert image_urls(at)[0] != before[0] and captions(at)[0] == "MLP GAN, seed 7"
    assert "missing" in " ".join(str(r) for r in at.dataframe[0].value.values.tolist())
    at = rerun(at.selectbox(key="model").select("basic-gan"))
    assert any("32 samples of basic-gan" in c for c in captions(at))
    plain = image_urls(at)
    at = rerun(at.select_slider(key="truncation").set_value(0.5))
    assert any(c == "32 samples of basic-gan, seed 7, latents truncated to ±0.5" for c in captions(at))
    assert image_urls(at)[2] != plain[2] and image_urls(at)[:2] == plain[:2]  # only the model's own samples change


def test_gallery_model_card_link_opens_that_model_with_its_card(app_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["model"] = "basic-gan"
    at = at.run()
    assert at.selectbox(key="model").value == "basic-gan"
    card = [e for e in at.expander if e.label.startswith("Model card")]
    assert card and card[0].proto.expanded and card[0].label.endswith("basic-gan/README.md)")
    assert any("Paper: https://arxiv.org/abs/1406.2661" in m.value for m in card[0].markdown)


def test_gallery_renders_a_translator_and_the_metrics_tables(app_env: Path) -> None:
    metrics = {
        "seed": 0,
        "evaluated": "2026-11-29",
        "metrics": {"kind": "classifier", "domain": "mnist", "test_accuracy": 0.9912},
        "reference": {},
    }
    path = app_env / "classifier-mnist" / "metrics.json"
    path.write_text(json.dumps(metrics))
    try:
        at = open_page("home")
        assert any("99.12" in m.value for m in at.markdown)
        assert any("**test accuracy %**: share of the official test set" in m.value for m in at.markdown)  # legend
        at = rerun(at.selectbox(key="model").select("cyclegan-lambda10"))
        assert any("λ = 10" in m.value for m in at.markdown)
        assert len(at.image) == 2 + 1  # the sheets, then x, G(x), F(G(x)) in one grid, read
        assert "USPS classifier reads" in captions(at)[-1]
    finally:
        path.unlink()


def test_latent_walk_strip_gif_and_widgets(app_env: Path) -> None:
    at = open_page("latent_walk")
    assert at.image[0].proto.imgs[0].caption.startswith("16 frames through seeds [0, 1]")
    assert image_urls(at)[1][0].endswith(".gif") and at.image[1].proto.imgs[0].caption == "animated, 224 px"
    assert len(at.get("download_button")) == 2  # the GIF and the frames
    first = image_urls(at)
    at = rerun(at.radio(key="gif_px").set_value(112))
    assert image_urls(at)[1] != first[1] and image_urls(at)[0] == first[0]
    at = rerun(at.text_input(key="seeds").input("3, 4, 5"))
    assert at.image[0].proto.imgs[0].caption == "31 frames through seeds [3, 4, 5] (slerp, 2 rows of 16)"
    assert image_urls(at)[0] != first[0]
    at = rerun(at.radio(key="mode").set_value("lerp"))
    assert "(lerp, " in at.image[0].proto.imgs[0].caption
    at = rerun(at.slider(key="steps").set_value(4))
    assert at.image[0].proto.imgs[0].caption.startswith("7 frames")
    at = rerun(at.toggle(key="direction_on").set_value(True))
    assert len(at.image) == 3
    along = image_urls(at)[2]
    at = rerun(at.radio(key="direction_kind").set_value("axis"))
    assert image_urls(at)[2] != along
    at = rerun(at.text_input(key="seeds").input("7"))
    assert "at least 2 seeds" in at.error[0].value


def test_latent_walk_bounds_its_input_with_a_message(app_env: Path) -> None:
    """Issue 13: seeds beyond 2⁶⁴ showed an OverflowError; 60 seeds at 32 frames crashed st.image."""
    at = open_page("latent_walk")
    at = rerun(at.text_input(key="seeds").input("0, 18446744073709551616"))
    assert "from 0 to 18,446,744,073,709,551,615" in at.error[0].value and not at.image
    at = rerun(at.slider(key="steps").set_value(32))
    at = rerun(at.text_input(key="seeds").input(", ".join(map(str, range(60)))))
    assert "60 seeds at 32 frames per leg make 1830 frames; the limit is 128" in at.error[0].value
    at = rerun(at.text_input(key="seeds").input("0, 1, 2, 3, 4"))
    assert at.image[0].proto.imgs[0].caption.startswith("125 frames") and not at.error


def test_latent_walk_random_button_changes_the_seeds_without_a_warning(app_env: Path, caplog, monkeypatch) -> None:
    """Issue 14: the button logged "created with a default value but also had its value set via the Session
    State API" with a stack trace."""
    from streamlit.elements.lib import policies

    monkeypatch.setattr(policies, "_shown_default_value_warning", False)  # Streamlit warns once per process
    at = open_page("latent_walk")
    assert at.text_input(key="seeds").value == "0, 1"
    at = rerun(at.button(key="random").click())
    assert at.text_input(key="seeds").value != "0, 1"
    assert len(at.text_input(key="seeds").value.split(",")) == 3
    at = rerun(at.button(key="random").click())
    assert not [r for r in caplog.records if "default value" in r.getMessage()]


def test_vector_arithmetic_preset_groups_and_result(app_env: Path) -> None:
    at = open_page("vector_arithmetic")
    groups = [at.multiselect(key=k).value for k in ("group_a", "group_b", "group_c")]
    assert all(len(g) == 3 for g in groups)
    assert captions(at) == [  # the numbered grid, the four results as one picture of equal tiles, the groups
        "Under each sample: its number · what the MNIST classifier reads",
        "mean(A) · mean(B) · mean(C) · mean(A) − mean(B) + mean(C), decoded",
        "A, B and C as picked",
    ]
    result = image_urls(at)[1]
    assert at.get("download_button")
    at = rerun(at.multiselect(key="group_c").set_value([10, 11]))
    assert image_urls(at)[1] != result
    at = rerun(at.button(key="preset").click())
    assert at.multiselect(key="group_c").value == groups[2]
    at = rerun(at.number_input(key="seed").set_value(3))  # a new grid gets its own preset
    assert [at.multiselect(key=k).value for k in ("group_a", "group_b", "group_c")] != groups
    at = rerun(at.multiselect(key="group_b").set_value([]))
    assert "at least one sample" in at.info[0].value


def test_lambda_comparison_rows_readings_and_tradeoff_chart(app_env: Path) -> None:
    at = open_page("lambda_comparison")
    lambdas = [m.value for m in at.markdown if m.value.startswith("**λ = ")]
    assert lambdas == ["**λ = 0** (`cyclegan-lambda0`)", "**λ = 10** (`cyclegan-lambda10`)"]
    assert len(at.image) == 2  # per λ one aligned grid: x, G(x), F(G(x)), a reading under every image
    assert all("kept; F(G(x)) reads as x's digit in" in c for c in captions(at))
    assert len(at.get("download_button")) == 2
    tradeoff_figure, flips_figure = plotly_figures(at)
    assert tradeoff_figure["data"][0]["x"] == [0, 10]
    assert "quick live estimate" in at.caption[-1].value
    assert at.selectbox(key="flips_model").value == "λ = 10"
    shares = flips_figure["data"][0]["z"]  # % of each MNIST digit in the 200-image live sample, per digit read
    assert len(shares) == 10 and all(sum(row) == pytest.approx(100) or sum(row) == 0 for row in shares)
    assert flips_figure["layout"]["title"]["text"].startswith("cyclegan-lambda10:")
    at = rerun(at.selectbox(key="flips_model").select("λ = 0"))
    assert plotly_figures(at)[1]["layout"]["title"]["text"].startswith("cyclegan-lambda0:")
    inputs = image_urls(at)[0]
    at = rerun(at.multiselect(key="digits").set_value([1, 9]))
    assert image_urls(at)[0] != inputs and "/2 kept" in captions(at)[0]
    at = rerun(at.radio(key="inputs").set_value("Random"))
    assert "/8 kept" in captions(at)[0]
    at = rerun(at.radio(key="inputs").set_value("Draw one"))
    assert "Draw a digit" in at.info[0].value  # the canvas is opaque to AppTest: it reads as not drawn yet


def test_draw_translate_forward_and_reverse(app_env: Path, monkeypatch) -> None:
    at = open_page("draw_translate")
    assert "Draw a digit" in at.info[0].value
    at = rerun(at.radio(key="source").set_value("mnist"))
    captions = [img.proto.imgs[0].caption for img in at.image]
    assert captions == [
        "Input, MNIST style (28×28)",
        "G(x): USPS style (28×28)",
        "G(x) at USPS's native 16×16",
        "F(G(x)): cycle reconstruction",
    ]
    assert sum("classifier reads" in m.value for m in at.markdown) == 3
    first = image_urls(at)
    at = rerun(at.number_input(key="mnist_index").set_value(5))
    assert image_urls(at)[0] != first[0]
    assert at.get("download_button")  # the four stages as one picture
    monkeypatch.setattr("random.randrange", lambda n: n - 1)
    at = rerun(at.button(key="mnist_index_random").click())  # issue 14: a random test digit in one click
    assert at.number_input(key="mnist_index").value == 63 and image_urls(at)[0] != first[0]
    at = rerun(at.selectbox(key="model").select("cyclegan-lambda0"))
    assert image_urls(at)[1] != image_urls(rerun(at.selectbox(key="model").select("cyclegan-lambda10")))[1]
    at = rerun(at.radio(key="source").set_value("usps"))
    assert at.image[2].proto.imgs[0].caption == "F(x): MNIST style"
    at = rerun(at.radio(key="source").set_value("upload"))
    assert "Upload a picture" in at.info[0].value


def test_draw_page_upload_shows_the_picture_beside_the_prepared_input(app_env: Path) -> None:
    """Issue 14: a photo of a digit on paper; the picture as read is shown beside the 28×28 input it became.
    Issue 13: an oversized or foreign file gets one line, no traceback."""
    import io

    import numpy as np
    from PIL import Image
    from test_images import _seven, _sheet, png_of_size

    at = rerun(open_page("draw_translate").radio(key="source").set_value("upload"))
    assert set(at.file_uploader(key="upload").allowed_type) >= {".png", ".jpg", ".webp"}
    photo = _seven(_sheet()) * np.linspace(0.8, 1.05, 400, dtype=np.float32)[None, :]
    buffer = io.BytesIO()
    Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=70)
    at = rerun(at.file_uploader(key="upload").set_value(("seven.jpg", buffer.getvalue(), "image/jpeg")))
    captions = [img.proto.imgs[0].caption for img in at.image]
    assert captions[:2] == ["your picture, as read", "Input, MNIST style (28×28)"]
    assert sum("classifier reads" in m.value for m in at.markdown) == 3 and not at.error

    at = rerun(at.file_uploader(key="upload").set_value(("huge.png", png_of_size(9400, 9400), "image/png")))
    assert "9400×9400 pixels" in at.error[0].value and not at.image
    tiff = io.BytesIO()
    Image.new("L", (40, 30)).save(tiff, format="TIFF")
    at = rerun(at.file_uploader(key="upload").set_value(("renamed.png", tiff.getvalue(), "image/png")))
    assert "could not be read as an image" in at.error[0].value
    blank = io.BytesIO()
    Image.fromarray(_sheet().astype(np.uint8)).save(blank, format="PNG")
    at = rerun(at.file_uploader(key="upload").set_value(("blank.png", blank.getvalue(), "image/png")))
    assert "No digit found" in at.error[0].value and len(at.image) == 1  # the picture, to see why


# --- missing models and data: notices, never tracebacks ---


@pytest.mark.parametrize("page", ["home", "latent_walk", "vector_arithmetic", "lambda_comparison", "draw_translate"])
def test_pages_without_any_weights_show_a_notice(page: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    st.cache_resource.clear()
    at = open_page(page)
    notices = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    assert "No " in notices and "weights" in notices
    assert not at.image


def test_pages_without_data_or_classifiers_still_run(tmp_path: Path, monkeypatch) -> None:
    make_tiny_weights(tmp_path / "weights", lambdas=(3,))
    for name in catalog.READERS.values():
        for f in (tmp_path / "weights" / name).iterdir():
            f.unlink()
        (tmp_path / "weights" / name).rmdir()
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tmp_path / "weights"))
    monkeypatch.setenv("GAN_ZOO_DATA", str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)  # no ./data either
    monkeypatch.setattr("zoo.data.REPO_ROOT", tmp_path)  # nor ../shared/data
    st.cache_resource.clear()
    at = rerun(open_page("home").selectbox(key="model").select("dcgan"))
    (notice,) = [w.value for w in at.warning if "MNIST train data not found" in w.value]
    assert "GAN_ZOO_DATA=/path/to/data streamlit run app.py" in notice and "`./data`" in notice  # the app's way
    assert "--data-dir" not in notice and "--download" not in notice  # the trainers' flags (issue 14)
    at = open_page("lambda_comparison")
    assert at.radio(key="inputs").options == ["Draw one"]
    at = open_page("vector_arithmetic")
    assert any("classifier is not installed" in c.value for c in at.caption)
    assert len(at.image) == 3  # the numbered samples, the result, the groups
    st.cache_resource.clear()


# --- a translator trained with another objective (CyCADA's semantic loss) ---


@pytest.fixture
def semantic_env(tmp_path: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    yield serve(make_tiny_weights(tmp_path / "weights", semantic=True), tiny_data, monkeypatch)
    st.cache_resource.clear()


def test_draw_page_opens_on_the_semantic_translator_when_installed(semantic_env: Path) -> None:
    at = open_page("draw_translate")
    assert at.selectbox(key="model").value == "cyclegan-semantic"
    assert at.selectbox(key="model").options[-1] == "cyclegan-semantic"
    assert any("semantic (CyCADA)" in c.value for c in at.caption)
    at = rerun(at.radio(key="source").set_value("mnist"))
    assert sum("classifier reads" in m.value for m in at.markdown) == 3  # read by the evaluator's classifiers


def test_draw_page_falls_back_to_lambda10_then_to_the_first_translator(app_env: Path, tmp_path, monkeypatch) -> None:
    assert open_page("draw_translate").selectbox(key="model").value == "cyclegan-lambda10"
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(make_tiny_weights(tmp_path / "weights", lambdas=(3, 6))))
    st.cache_resource.clear()
    assert open_page("draw_translate").selectbox(key="model").value == "cyclegan-lambda3"


def test_lambda_page_shows_the_semantic_translator_as_a_labelled_row_apart_from_the_sweep(semantic_env: Path) -> None:
    at = open_page("lambda_comparison")
    headers = [m.value for m in at.markdown if m.value.startswith("**λ = ") or m.value.startswith("**semantic")]
    assert headers == [
        "**λ = 0** (`cyclegan-lambda0`)",
        "**λ = 10** (`cyclegan-lambda10`)",
        "**semantic (CyCADA), λ = 10** (`cyclegan-semantic`)",
    ]
    tradeoff_figure, _ = plotly_figures(at)
    assert tradeoff_figure["data"][0]["x"] == [0, 10]  # the sweep's line leaves the semantic one out…
    assert any(t["name"].startswith("semantic (CyCADA)") for t in tradeoff_figure["data"])  # …which is a marker
    assert at.selectbox(key="flips_model").value == "semantic (CyCADA), λ = 10"


# --- issue 14: small expectations ---


def test_the_page_icon_needs_no_network(app_env: Path, monkeypatch) -> None:
    """A ":material/…:" page icon is fetched from a font CDN by the browser: offline it fails."""
    seen = []
    original = st.set_page_config
    monkeypatch.setattr(st, "set_page_config", lambda **kw: seen.append(kw) or original(**kw))
    open_page("home")
    icon = seen[0]["page_icon"]
    assert not icon.startswith(":material") and not icon.startswith("http")


def test_draw_page_shows_the_translators_own_figures(app_env: Path) -> None:
    confusion = [[10 if r == c else 0 for c in range(10)] for r in range(10)]
    confusion[7] = [0] * 9 + [10]
    metrics = {"label_preservation_mnist_to_usps": 0.9, "confusion_mnist_to_usps": confusion}
    path = app_env / "cyclegan-lambda10" / "metrics.json"
    path.write_text(json.dumps({"metrics": metrics}))
    try:
        at = open_page("draw_translate")
        (said,) = [c.value for c in at.caption if c.value.startswith("Trained with")]
        assert "keeps the label of 90.0 % of MNIST test digits" in said and "turns 7 → 9 (100 % of 7s)" in said
    finally:
        path.unlink()
