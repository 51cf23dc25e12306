"""GAN Zoo in Gradio: ``python gradio_app.py``: sketch → USPS style, latent walks and vector arithmetic.

The same ``zoo`` functions as the Streamlit app; the handlers below are plain functions (tested directly), and
``build_demo`` only wires them to components. Failures a user can cause reach the UI as ``gr.Error`` messages.
"""

from __future__ import annotations

import tempfile
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


def get_model(name: str | None, kind: type = torch.nn.Module) -> Any:
    """The shared model (``zoo.frontend``: the same cache as the Streamlit app); a missing one is a gr.Error."""
    if not name:
        raise gr.Error(f"No model installed in {weights_dir()}: train one, or set GAN_ZOO_HUB_REPO.")
    try:
        model = frontend.shared_model(name)
    except zoo.ModelLoadError as err:
        raise gr.Error(f"Model {name!r} is not available: {err}") from err
    if not isinstance(model, kind):
        raise gr.Error(f"{name!r} is a {type(model).__name__}, not a {kind.__name__}.")
    return model


def _numbers(text: str, **kwargs: Any) -> list[int]:
    try:
        return frontend.parse_numbers(text, **kwargs)
    except ValueError as err:
        raise gr.Error(str(err)) from err


# --- handlers ---------------------------------------------------------------------------------------------


def translate_sketch(sketch: dict | np.ndarray | None, model_name: str) -> tuple[list[Image.Image], str]:
    """A Sketchpad drawing → [input, G(x), G(x) at 16×16, F(G(x))] and what the classifiers read."""
    drawing = sketch.get("composite") if isinstance(sketch, dict) else sketch
    if drawing is None:
        raise gr.Error("Draw a digit on the sketchpad first.")
    try:
        x = images.preprocess_sketch(np.asarray(drawing))
    except images.EmptyDrawingError as err:
        raise gr.Error("The sketchpad is empty: draw a digit first.") from err
    model = get_model(model_name, zoo.CycleGAN)
    panels = translate_and_read(model, x, "mnist_to_usps", frontend.readers())
    text = f"{Objective.of(model).label}. " + "; ".join(f"{p.label}: **{p.said}**" for p in panels if p.said) + "."
    return [p.picture() for p in panels], text


def latent_walk(model_name: str, seeds_text: str, steps: int, mode: str) -> tuple[Image.Image, str]:
    """Frames through the seeds' latents: a strip, and the path of an animated GIF."""
    generator = get_model(model_name, zoo.Generator)
    frames = latent.walk_frames(generator, _numbers(seeds_text, minimum=2), int(steps), mode)
    with tempfile.NamedTemporaryFile(prefix="walk-", suffix=".gif", delete=False) as f:
        f.write(images.gif_bytes(frames, scale=SCALE, boomerang=True))
    return images.strip(frames, scale=2), f.name


def _pool(model_name: str, seed: int) -> tuple[zoo.Generator, latent.Pool]:
    generator = get_model(model_name, zoo.Generator)
    return generator, latent.sample_pool(generator, int(seed), frontend.reader("mnist"))


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
                sketch = gr.Sketchpad(
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
                seeds = gr.Textbox("0, 1", label="Seeds (two or more)")
                steps = gr.Slider(2, 32, value=16, step=1, label="Frames per leg")
                mode = gr.Radio(list(latent.MODES), value="slerp", label="Interpolation")
            walk_button = gr.Button("Walk", variant="primary")
            strip = gr.Image(label="frames", format="png")
            gif = gr.Image(label="animated GIF", type="filepath")
            walk_button.click(latent_walk, [walk_model, seeds, steps, mode], [strip, gif], api_name="walk")
        with gr.Tab("Vector arithmetic"):
            with gr.Row():
                arithmetic_model = gr.Dropdown(generators, value=default_generator, label="Generator")
                pool_seed = gr.Number(0, precision=0, label="Seed of the grid")
                preset = gr.Button("Show samples and the preset")
            pool = gr.Image(label=f"{POOL} samples, numbered row by row (8 per row) from 0", format="png")
            description = gr.Markdown()
            with gr.Row():
                group_a, group_b, group_c = (gr.Textbox(label=f"Group {g}") for g in "ABC")
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
    return demo


if __name__ == "__main__":
    build_demo().launch()
