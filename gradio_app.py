"""GAN Zoo in Gradio: ``python gradio_app.py [--host H] [--port P] [--share]`` (``--help`` says more).

Sketch or test digit → USPS style, latent walks, vector arithmetic, the λ comparison and a gallery: the same
``zoo`` functions as the Streamlit app (``zoo.frontend``'s views, which return pictures ready to show). The
handlers below are plain functions (tested directly), and ``build_demo`` only wires them to components.
Failures a user can cause reach the UI as short error pop-ups (``fail``: no traceback in the server's log), and
switching tabs closes the pop-ups of the tab left behind.
Every handler is also an API endpoint that anyone can call with anything, so each one checks its inputs (model
names against the installed ones, numbers against their ranges, sketches against the upload limits) and says
what is wrong; values Gradio itself cannot convert are explained the same way (``explain_bad_input``).
Pictures are served from memory through Gradio's own cache, which it empties as it goes (``CACHE_CLEANUP``):
nothing is left behind in the temporary folder.
"""

from __future__ import annotations

import argparse
import io
import random
from collections.abc import Sequence
from typing import Any

import gradio as gr
import numpy as np
import torch
from PIL import Image

import zoo
from zoo import catalog, frontend, images, latent, plots, report, translation
from zoo.catalog import Objective
from zoo.data import DataError, advice_for_apps, pick_examples
from zoo.folder import weights_dir
from zoo.latent import POOL
from zoo.translation import trade_off

MAX_STEPS = 32  # frames per leg, as the slider offers
SKETCH_MAX_PIXELS = 2_000_000  # a sketch is the 280×280 canvas; anything far larger is not a drawing
ERROR_SECONDS = 8  # an error pop-up closes by itself after this long (or when its tab is left)
CACHE_CLEANUP = (600, 3600)  # every 10 minutes, Gradio deletes the pictures it served more than an hour ago
# Closes every open pop-up: run in the browser when a tab is selected, so old errors do not follow the user.
CLOSE_POPUPS = "() => { document.querySelectorAll('[data-testid=\"toast-close\"]').forEach((b) => b.click()); }"


def fail(message: str) -> gr.Error:
    """The error a handler raises for a user's mistake: a pop-up that closes by itself, and no traceback in the
    server's log (the mistake is the user's, not the server's)."""
    return gr.Error(message, duration=ERROR_SECONDS, print_exception=False)


def get_model(name: object, kind: type = torch.nn.Module) -> Any:
    """The shared model (``zoo.frontend``: the same cache as the Streamlit app); a missing one is a gr.Error.

    Only installed models by name: the API must not turn a model name into a path to load from.
    """
    installed = catalog.available()
    if not installed:
        raise fail(f"No model installed in {weights_dir()}: train one, or set GAN_ZOO_HUB_REPO.")
    if not isinstance(name, str) or not name:
        raise fail(f"Choose a model: {', '.join(installed)}.")
    if name not in installed:
        raise fail(f"Model {_shown(name)} is not available: installed are {', '.join(installed)}.")
    try:
        model = frontend.shared_model(name)
    except zoo.ModelLoadError as err:
        raise fail(f"Model {name!r} is not available: {err}") from err
    if not isinstance(model, kind):
        raise fail(f"{name!r} is a {type(model).__name__}, not a {kind.__name__}.")
    return model


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _numbers(text: object, **kwargs: Any) -> list[int]:
    if not isinstance(text, str):
        raise fail(f"Type numbers separated by commas, got {_shown(text)}.")
    try:
        return frontend.parse_numbers(text, **kwargs)
    except ValueError as err:
        raise fail(str(err)) from err


def _whole(value: object, what: str, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], or a gr.Error naming the field and its range."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise fail(f"{what} must be a whole number from {lo:,} to {hi:,}, got {_shown(value)}.")
    return value


def _choice(value: object, what: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise fail(f"{what} must be one of {', '.join(choices)}, got {_shown(value)}.")
    return str(value)


# --- handlers ---------------------------------------------------------------------------------------------


def _picture(png: bytes) -> Image.Image:
    """A view's PNG as the PIL image Gradio takes (it encodes it again into its own cache)."""
    return Image.open(io.BytesIO(png))


def _translated(view: translation.TranslationView, model: zoo.CycleGAN) -> tuple[list[Image.Image], str]:
    said = "; ".join(f"{label}: **{text}**" for label, text in zip(view.labels, view.said, strict=True) if text)
    return [_picture(p) for p in view.pictures], f"{Objective.of(model).label}. {said}."


def translate_sketch(sketch: dict | np.ndarray | None, model_name: str) -> tuple[list[Image.Image], str]:
    """A Sketchpad drawing → [input, G(x), G(x) at 16×16, F(G(x))] and what the classifiers read."""
    model = get_model(model_name, zoo.CycleGAN)
    drawing = sketch.get("composite") if isinstance(sketch, dict) else sketch
    if drawing is None:
        raise fail("Draw a digit on the sketchpad first.")
    if not isinstance(drawing, np.ndarray | Image.Image):
        raise fail(f"The sketch must be an image, got {type(drawing).__name__}.")
    drawing = np.asarray(drawing)
    if drawing.ndim not in (2, 3) or drawing.size == 0 or drawing.size > 4 * SKETCH_MAX_PIXELS:
        raise fail(f"The sketch must be a picture of at most {SKETCH_MAX_PIXELS:,} pixels, got {drawing.shape}.")
    try:
        x = images.preprocess_sketch(drawing)
    except images.EmptyDrawingError as err:
        raise fail("The sketchpad is empty: draw a digit first.") from err
    except ValueError as err:
        raise fail(f"This sketch cannot be used: {err}") from err
    return _translated(frontend.translation_view(model_name, x.numpy()), model)


def _test_set(dataset: object) -> tuple[torch.Tensor, torch.Tensor]:
    dataset = _choice(dataset, "The test set", list(frontend.DATASETS))
    try:
        return frontend.dataset(dataset, "test")
    except DataError as err:
        raise fail(f"{dataset.upper()} is not available here. {advice_for_apps(err)}".replace("`", "")) from err


def translate_test_digit(dataset: str, index: int, model_name: str) -> tuple[list[Image.Image], str]:
    """An MNIST test digit through G and back (a USPS one through F and back), as the sketch's four panels."""
    model = get_model(model_name, zoo.CycleGAN)
    x, y = _test_set(dataset)
    i = _whole(index, "The test digit number", 0, len(y) - 1)
    direction = "usps_to_mnist" if dataset == "usps" else "mnist_to_usps"
    pictures, text = _translated(frontend.translation_view(model_name, x[i : i + 1].numpy(), direction), model)
    return pictures, f"Test digit {i}, label {int(y[i])}. {text}"


def random_test_digit(dataset: str) -> int:
    """A random test digit's number in ``dataset``'s test set."""
    return random.randrange(len(_test_set(dataset)[1]))


def latent_walk(
    model_name: str, seeds_text: str, steps: int, mode: str, gif_px: int = 224
) -> tuple[Image.Image, Image.Image]:
    """Frames through the seeds' latents in rows of readable frames, and an animated GIF (served from memory)."""
    get_model(model_name, zoo.Generator)
    seeds = _numbers(seeds_text, minimum=2)
    steps = _whole(steps, "Frames per leg", 2, MAX_STEPS)
    mode = _choice(mode, "Interpolation", latent.MODES)
    gif_px = _whole(gif_px, "The GIF's size", min(latent.GIF_SIZES), max(latent.GIF_SIZES))
    try:
        walk = frontend.walk(model_name, seeds, steps, mode, gif_px)
    except latent.LatentInputError as err:
        raise fail(str(err)) from err
    return _picture(walk.strip), _picture(walk.gif)


def _pool(model_name: str, seed: object) -> tuple[int, latent.PoolView]:
    get_model(model_name, zoo.Generator)
    seed = _whole(seed, "The seed of the grid", 0, latent.MAX_SEED)
    return seed, frontend.pool(model_name, seed)


def arithmetic_preset(model_name: str, seed: int) -> tuple[Image.Image, str, str, str, str]:
    """The 64 samples, each numbered (and read), and the thickness preset's groups A, B, C."""
    _, pool = _pool(model_name, seed)
    return (
        _picture(pool.picture),
        *(", ".join(map(str, pool.preset[g])) for g in "ABC"),
        f"Preset: {pool.description}",
    )


def vector_arithmetic(model_name: str, seed: int, a: str, b: str, c: str) -> tuple[Image.Image, str]:
    """Decoded [mean(A), mean(B), mean(C), mean(A) − mean(B) + mean(C)], their readings, and whether the result
    reads as the digit the groups ask for."""
    seed, pool = _pool(model_name, seed)
    groups = [_numbers(t, what=f"group {g} sample number") for g, t in zip("ABC", (a, b, c), strict=True)]
    try:
        result = frontend.arithmetic(model_name, seed, groups, pool.digits)
    except latent.LatentInputError as err:
        raise fail(str(err)) from err
    titles = ["mean(A)", "mean(B)", "mean(C)", "A − B + C"]
    readings = result.readings
    text = " · ".join(f"{t}: **{readings[i]}**" if readings else t for i, t in enumerate(titles))
    return _picture(result.picture), text + (f"\n\n⚠️ {result.message}" if result.message else "")


def lambda_comparison(digits: Sequence[object], seed: object) -> tuple[Image.Image, str, Any]:
    """The same MNIST test digits through every CycleGAN: one aligned grid per translator (x, G(x), F(G(x)), a
    reading under each) stacked in one picture, each one's verdict, and the trade-off chart (labels kept
    against cycle error)."""
    translators = catalog.available("translator")
    if not translators:
        raise fail(f"No CycleGAN installed in {weights_dir()}: nothing to compare.")
    if not isinstance(digits, list | tuple) or not digits:
        raise fail("Pick at least one digit.")
    digits = [_whole(d, "A digit", 0, 9) for d in digits]
    seed = _whole(seed, "The seed", 0, 2**31 - 1)
    x, y = _test_set("mnist")
    index = pick_examples(y, digits, seed)
    grids = frontend.comparison(translators, x[index].numpy(), y[index].tolist())
    titles = [f"{g.name} ({g.label})".replace("λ", "lambda") for g in grids]
    picture = images.stack([_picture(g.picture) for g in grids], titles)
    verdicts = "\n".join(f"- **{g.label}** (`{g.name}`): {g.verdict or 'not read'}" for g in grids)
    models = {name: get_model(name, zoo.CycleGAN) for name in translators}
    view = trade_off(models, (x, y), frontend.reader("usps"))
    chart = plots.lambda_tradeoff(view.sweep, others=view.others) if view and (view.sweep or view.others) else None
    return picture, verdicts, chart


def gallery(seed: object) -> tuple[list[tuple[Image.Image, str]], str]:
    """Every generator's samples of one seed side by side, then the measured figures and what they mean."""
    seed = _whole(seed, "The seed", 0, 2**31 - 1)
    sheets = frontend.sample_sheets(catalog.available("generator"), seed)
    pictures = [(_picture(s.picture), s.title) for s in sheets]
    installed = catalog.available()
    tables = report.recorded_report(installed)
    legend = report.legend(catalog.kind(n) or "" for n in installed)
    return pictures, (f"{tables}\n\n**What the figures mean**\n\n{legend}" if tables else "")


# --- inputs Gradio converts before a handler sees them ------------------------------------------------------


def explain_bad_input(component: Any) -> Any:
    """``component``, whose conversion of an API value it cannot take becomes a gr.Error naming the field.

    Gradio converts each input (a number from text, a sketch from image files) before calling the handler, and
    answers a value it cannot convert with a generic "the upstream app has raised an exception". The instance's
    own ``preprocess`` is wrapped (not the class: Gradio picks the browser widget by class name).
    """
    preprocess = component.preprocess

    def checked(payload: Any) -> Any:
        try:
            return preprocess(payload)
        except gr.Error:
            raise
        except Exception as err:  # noqa: BLE001 - whatever Gradio raises for a malformed value
            raise fail(f"{component.label or 'An input'}: {_shown(payload)} is not a value it takes.") from err

    component.preprocess = checked
    return component


def explain_malformed_requests(demo: gr.Blocks) -> gr.Blocks:
    """``demo``, where an API value not even of its component's kind (text for a sketch) is a gr.Error naming it.

    Gradio checks each value against its component's schema before converting it, and answers a mismatch with
    its generic error; this wraps that step (on the instance) to say which input was wrong.
    """
    preprocess_data = demo.preprocess_data

    async def checked(block_fn: Any, inputs: list[Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await preprocess_data(block_fn, inputs, *args, **kwargs)
        except gr.Error:
            raise
        except Exception as err:  # noqa: BLE001 - pydantic's ValidationError names the model that refused
            title = getattr(err, "title", None)
            blocks = [b for b in block_fn.inputs if getattr(getattr(b, "data_model", None), "__name__", 0) == title]
            what = (getattr(blocks[0], "label", None) if blocks else None) or "An input"
            raise fail(f"{what}: this request's value is not of the kind it takes.") from err

    demo.preprocess_data = checked
    return demo


def bounded_sketchpad(**kwargs: Any) -> gr.Sketchpad:
    """A gr.Sketchpad whose images are checked from their headers (formats, pixels) before Gradio decodes them.

    The browser sends the canvas (280×280), but an API call can send any file as the sketch, and Gradio would
    decode it whole: a 9400×9400 PNG of 350 kB becomes 350 MB. ``zoo.images.check_picture`` refuses it first.
    """
    pad = gr.Sketchpad(**kwargs)
    convert = pad.convert_and_format_image

    def checked(file: Any, *args: Any, **kw: Any) -> Any:
        if file is not None:
            source = bytes(file) if isinstance(file, bytes | bytearray | memoryview) else getattr(file, "path", file)
            try:
                images.check_picture(source, SKETCH_MAX_PIXELS)
            except images.UnreadableImageError as err:
                raise fail(str(err)) from err
        return convert(file, *args, **kw)

    pad.convert_and_format_image = checked
    return explain_bad_input(pad)


# --- layout -----------------------------------------------------------------------------------------------


def build_demo() -> gr.Blocks:
    translators, generators = catalog.available("translator"), catalog.available("generator")
    default_translator, default_generator = catalog.default("translator"), catalog.default("generator")
    absent = catalog.missing()
    with gr.Blocks(title="GAN Zoo", delete_cache=CACHE_CLEANUP) as demo:
        gr.Markdown(
            "# GAN Zoo\nClassic GANs on handwritten digits. "
            + (f"*Not installed here: {', '.join(absent)}.*" if absent else "")
        )
        tabs = []
        with gr.Tab("Gallery") as tab:
            tabs.append(tab)
            with gr.Row():
                gallery_seed = explain_bad_input(gr.Number(0, precision=0, minimum=0, label="Seed"))
                show = gr.Button("Show samples", variant="primary")
            sheets = gr.Gallery(label="What each GAN draws (one seed)", columns=4, height="auto", format="png")
            figures = gr.Markdown()
            show.click(gallery, [gallery_seed], [sheets, figures], api_name="gallery")
            demo.load(gallery, [gallery_seed], [sheets, figures], api_name=False)
        with gr.Tab("Draw and translate") as tab:
            tabs.append(tab)
            with gr.Row():
                sketch = bounded_sketchpad(
                    label="Draw a digit (pick the brush on the left first)",
                    layers=False,
                    canvas_size=(280, 280),
                    brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
                    type="numpy",
                )
                with gr.Column():
                    translator = gr.Dropdown(translators, value=default_translator, label="CycleGAN")
                    translate = gr.Button("Translate the drawing to USPS style", variant="primary")
                    gr.Markdown("Or a test digit (a USPS one goes the other way, to MNIST style):")
                    dataset = explain_bad_input(
                        gr.Radio(
                            list(frontend.DATASETS),
                            value="mnist",
                            label="Test set",
                            info="MNIST → USPS or USPS → MNIST",
                        )
                    )
                    index = explain_bad_input(gr.Number(0, precision=0, minimum=0, label="Test digit number"))
                    with gr.Row():
                        pick = gr.Button("Random test digit")
                        translate_digit = gr.Button("Translate the test digit")
            panels = gr.Gallery(
                label="input · G(x) · G(x) at 16×16 · F(G(x))",
                columns=4,
                height="auto",
                object_fit="contain",
                format="png",
            )
            readings = gr.Markdown()
            translate.click(translate_sketch, [sketch, translator], [panels, readings], api_name="translate")
            translate_digit.click(
                translate_test_digit, [dataset, index, translator], [panels, readings], api_name="translate_digit"
            )
            pick.click(random_test_digit, [dataset], [index], api_name="random_digit").then(
                translate_test_digit, [dataset, index, translator], [panels, readings]
            )
        with gr.Tab("Latent walk") as tab:
            tabs.append(tab)
            with gr.Row():
                walk_model = gr.Dropdown(generators, value=default_generator, label="Generator")
                seeds = explain_bad_input(gr.Textbox("0, 1", label="Seeds (two or more)", max_length=400))
                steps = explain_bad_input(gr.Slider(2, MAX_STEPS, value=16, step=1, label="Frames per leg"))
                mode = explain_bad_input(gr.Radio(list(latent.MODES), value="slerp", label="Interpolation"))
                gif_px = explain_bad_input(gr.Radio(list(latent.GIF_SIZES), value=224, label="GIF size (pixels)"))
            walk_button = gr.Button("Walk", variant="primary")
            strip = gr.Image(label="frames, row by row", format="png")
            gif = gr.Image(label="animated GIF", type="pil", format="gif", width=240)
            walk_button.click(latent_walk, [walk_model, seeds, steps, mode, gif_px], [strip, gif], api_name="walk")
        with gr.Tab("Vector arithmetic") as tab:
            tabs.append(tab)
            with gr.Row():
                arithmetic_model = gr.Dropdown(generators, value=default_generator, label="Generator")
                pool_seed = explain_bad_input(gr.Number(0, precision=0, minimum=0, label="Seed of the grid"))
                preset = gr.Button("Show samples and the preset")
            pool = gr.Image(label=f"{POOL} samples: number · what the MNIST classifier reads", format="png")
            description = gr.Markdown()
            with gr.Row():
                group_a, group_b, group_c = (explain_bad_input(gr.Textbox(label=f"Group {g}")) for g in "ABC")
            compute = gr.Button("mean(A) − mean(B) + mean(C)", variant="primary")
            result = gr.Image(label="mean(A) · mean(B) · mean(C) · result", format="png")
            result_text = gr.Markdown()
            preset.click(
                arithmetic_preset,
                [arithmetic_model, pool_seed],
                [pool, group_a, group_b, group_c, description],
                api_name="preset",
            )
            compute.click(
                vector_arithmetic,
                [arithmetic_model, pool_seed, group_a, group_b, group_c],
                [result, result_text],
                api_name="arithmetic",
            )
        with gr.Tab("λ comparison") as tab:
            tabs.append(tab)
            with gr.Row():
                digits = explain_bad_input(
                    gr.CheckboxGroup(list(range(10)), value=[0, 2, 3, 4, 5, 7], label="MNIST test digits")
                )
                lambda_seed = explain_bad_input(gr.Number(0, precision=0, minimum=0, label="Seed"))
                compare = gr.Button("Compare the CycleGANs", variant="primary")
            grids = gr.Image(label="per CycleGAN: x, G(x), F(G(x)); a reading under each", format="png")
            verdicts = gr.Markdown()
            chart = gr.Plot(label="labels kept against cycle error")
            compare.click(lambda_comparison, [digits, lambda_seed], [grids, verdicts, chart], api_name="lambda")
        for tab in tabs:  # a pop-up belongs to the tab that raised it
            tab.select(None, js=CLOSE_POPUPS)
    return explain_malformed_requests(demo)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the GAN Zoo's Gradio app: draw and translate, latent walks, vector arithmetic, "
        "the λ comparison and a gallery, over the models in weights/ (or $GAN_ZOO_WEIGHTS).",
    )
    parser.add_argument(
        "--host",
        default=None,
        help="address to listen on (default: $GRADIO_SERVER_NAME, else 127.0.0.1: this machine only; "
        "0.0.0.0 serves other machines)",
    )
    parser.add_argument("--port", type=int, default=None, help="port (default: $GRADIO_SERVER_PORT, else 7860)")
    parser.add_argument("--share", action="store_true", help="also serve through a public gradio.live link")
    args = parser.parse_args(argv)
    frontend.serve_threads()
    build_demo().launch(server_name=args.host, server_port=args.port, share=args.share)


if __name__ == "__main__":
    main()
