"""GAN Zoo in Gradio: ``python gradio_app.py``: sketch → USPS style, latent walks and vector arithmetic.

The same ``zoo`` functions as the Streamlit app; the handlers below are plain functions (tested directly), and
``build_demo`` only wires them to components. Failures a user can cause reach the UI as ``gr.Error`` messages.
Every handler is also an API endpoint that anyone can call with anything, so each one checks its inputs (model
names against the installed ones, numbers against their ranges, sketches against the upload limits) and says
what is wrong; values Gradio itself cannot convert are explained the same way (``explain_bad_input``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

import gradio as gr
import numpy as np
import torch
from PIL import Image

import zoo
from zoo import catalog, frontend, images, latent
from zoo.catalog import Objective
from zoo.folder import weights_dir
from zoo.latent import POOL
from zoo.metrics import read_digits
from zoo.translation import translate_and_read

SCALE = 4
MAX_STEPS = 32  # frames per leg, as the slider offers
SKETCH_MAX_PIXELS = 2_000_000  # a sketch is the 280×280 canvas; anything far larger is not a drawing


def get_model(name: object, kind: type = torch.nn.Module) -> Any:
    """The shared model (``zoo.frontend``: the same cache as the Streamlit app); a missing one is a gr.Error.

    Only installed models by name: the API must not turn a model name into a path to load from.
    """
    installed = catalog.available()
    if not installed:
        raise gr.Error(f"No model installed in {weights_dir()}: train one, or set GAN_ZOO_HUB_REPO.")
    if not isinstance(name, str) or not name:
        raise gr.Error(f"Choose a model: {', '.join(installed)}.")
    if name not in installed:
        raise gr.Error(f"Model {_shown(name)} is not available: installed are {', '.join(installed)}.")
    try:
        model = frontend.shared_model(name)
    except zoo.ModelLoadError as err:
        raise gr.Error(f"Model {name!r} is not available: {err}") from err
    if not isinstance(model, kind):
        raise gr.Error(f"{name!r} is a {type(model).__name__}, not a {kind.__name__}.")
    return model


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _numbers(text: object, **kwargs: Any) -> list[int]:
    if not isinstance(text, str):
        raise gr.Error(f"Type numbers separated by commas, got {_shown(text)}.")
    try:
        return frontend.parse_numbers(text, **kwargs)
    except ValueError as err:
        raise gr.Error(str(err)) from err


def _whole(value: object, what: str, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], or a gr.Error naming the field and its range."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise gr.Error(f"{what} must be a whole number from {lo:,} to {hi:,}, got {_shown(value)}.")
    return value


def _choice(value: object, what: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise gr.Error(f"{what} must be one of {', '.join(choices)}, got {_shown(value)}.")
    return str(value)


# --- handlers ---------------------------------------------------------------------------------------------


def translate_sketch(sketch: dict | np.ndarray | None, model_name: str) -> tuple[list[Image.Image], str]:
    """A Sketchpad drawing → [input, G(x), G(x) at 16×16, F(G(x))] and what the classifiers read."""
    model = get_model(model_name, zoo.CycleGAN)
    drawing = sketch.get("composite") if isinstance(sketch, dict) else sketch
    if drawing is None:
        raise gr.Error("Draw a digit on the sketchpad first.")
    if not isinstance(drawing, np.ndarray | Image.Image):
        raise gr.Error(f"The sketch must be an image, got {type(drawing).__name__}.")
    drawing = np.asarray(drawing)
    if drawing.ndim not in (2, 3) or drawing.size == 0 or drawing.size > 4 * SKETCH_MAX_PIXELS:
        raise gr.Error(f"The sketch must be a picture of at most {SKETCH_MAX_PIXELS:,} pixels, got {drawing.shape}.")
    try:
        x = images.preprocess_sketch(drawing)
    except images.EmptyDrawingError as err:
        raise gr.Error("The sketchpad is empty: draw a digit first.") from err
    except ValueError as err:
        raise gr.Error(f"This sketch cannot be used: {err}") from err
    panels = translate_and_read(model, x, "mnist_to_usps", frontend.readers())
    text = f"{Objective.of(model).label}. " + "; ".join(f"{p.label}: **{p.said}**" for p in panels if p.said) + "."
    return [p.picture() for p in panels], text


def latent_walk(model_name: str, seeds_text: str, steps: int, mode: str) -> tuple[Image.Image, str]:
    """Frames through the seeds' latents: a strip, and the path of an animated GIF."""
    generator = get_model(model_name, zoo.Generator)
    seeds = _numbers(seeds_text, minimum=2)
    steps = _whole(steps, "Frames per leg", 2, MAX_STEPS)
    mode = _choice(mode, "Interpolation", latent.MODES)
    try:
        frames = latent.walk_frames(generator, seeds, steps, mode)
    except latent.LatentInputError as err:
        raise gr.Error(str(err)) from err
    with tempfile.NamedTemporaryFile(prefix="walk-", suffix=".gif", delete=False) as f:
        f.write(images.gif_bytes(frames, scale=SCALE, boomerang=True))
    return images.strip(frames, scale=2), f.name


def _pool(model_name: str, seed: object) -> tuple[zoo.Generator, latent.Pool]:
    generator = get_model(model_name, zoo.Generator)
    seed = _whole(seed, "The seed of the grid", 0, latent.MAX_SEED)
    return generator, latent.sample_pool(generator, seed, frontend.reader("mnist"))


def arithmetic_preset(model_name: str, seed: int) -> tuple[Image.Image, str, str, str, str]:
    """The grid of samples (indices row by row, 8 per row) and the thickness preset's groups A, B, C."""
    _, pool = _pool(model_name, seed)
    return (
        images.grid(pool.samples, nrow=8, scale=2),
        *(", ".join(map(str, pool.preset[g])) for g in "ABC"),
        f"Preset: {pool.description}",
    )


def vector_arithmetic(model_name: str, seed: int, a: str, b: str, c: str) -> tuple[Image.Image, str]:
    """Decoded [mean(A), mean(B), mean(C), mean(A) − mean(B) + mean(C)] and the MNIST classifier's readings."""
    generator, pool = _pool(model_name, seed)
    groups = [_numbers(t, what=f"group {g} sample number") for g, t in zip("ABC", (a, b, c), strict=True)]
    if any(i >= POOL for g in groups for i in g):
        raise gr.Error(f"Sample numbers go from 0 to {POOL - 1}.")
    decoded = latent.arithmetic(generator, pool.z, groups)
    clf = frontend.reader("mnist")
    titles = ["mean(A)", "mean(B)", "mean(C)", "A − B + C"]
    readings = read_digits(clf, decoded) if clf else None
    text = " · ".join(f"{t}: **{readings[i]}**" if readings else t for i, t in enumerate(titles))
    return images.strip(decoded, scale=SCALE), text


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
            raise gr.Error(f"{component.label or 'An input'}: {_shown(payload)} is not a value it takes.") from err

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
            raise gr.Error(f"{what}: this request's value is not of the kind it takes.") from err

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
                raise gr.Error(str(err)) from err
        return convert(file, *args, **kw)

    pad.convert_and_format_image = checked
    return explain_bad_input(pad)


# --- layout -----------------------------------------------------------------------------------------------


def build_demo() -> gr.Blocks:
    translators, generators = catalog.available("translator"), catalog.available("generator")
    default_translator, default_generator = catalog.default("translator"), catalog.default("generator")
    absent = catalog.missing()
    with gr.Blocks(title="GAN Zoo") as demo:
        gr.Markdown(
            "# GAN Zoo\nClassic GANs on handwritten digits. "
            + (f"*Not installed here: {', '.join(absent)}.*" if absent else "")
        )
        with gr.Tab("Draw and translate"):
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
                    translate = gr.Button("Translate to USPS style", variant="primary")
            gallery = gr.Gallery(
                label="input (MNIST style) · G(x) · G(x) at 16×16 · F(G(x))",
                columns=4,
                height="auto",
                object_fit="contain",
                format="png",
            )
            readings = gr.Markdown()
            translate.click(translate_sketch, [sketch, translator], [gallery, readings], api_name="translate")
        with gr.Tab("Latent walk"):
            with gr.Row():
                walk_model = gr.Dropdown(generators, value=default_generator, label="Generator")
                seeds = explain_bad_input(gr.Textbox("0, 1", label="Seeds (two or more)", max_length=400))
                steps = explain_bad_input(gr.Slider(2, MAX_STEPS, value=16, step=1, label="Frames per leg"))
                mode = explain_bad_input(gr.Radio(list(latent.MODES), value="slerp", label="Interpolation"))
            walk_button = gr.Button("Walk", variant="primary")
            strip = gr.Image(label="frames", format="png")
            gif = gr.Image(label="animated GIF", type="filepath")
            walk_button.click(latent_walk, [walk_model, seeds, steps, mode], [strip, gif], api_name="walk")
        with gr.Tab("Vector arithmetic"):
            with gr.Row():
                arithmetic_model = gr.Dropdown(generators, value=default_generator, label="Generator")
                pool_seed = explain_bad_input(gr.Number(0, precision=0, minimum=0, label="Seed of the grid"))
                preset = gr.Button("Show samples and the preset")
            pool = gr.Image(label=f"{POOL} samples, numbered row by row (8 per row) from 0", format="png")
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
    return explain_malformed_requests(demo)


if __name__ == "__main__":
    build_demo().launch()
