"""GAN Zoo in Gradio: ``python gradio_app.py``: sketch → USPS style, latent walks and vector arithmetic.

The same ``zoo`` functions as the Streamlit app; the handlers below are plain functions (tested directly), and
``build_demo`` only wires them to components. Failures a user can cause reach the UI as ``gr.Error`` messages.
"""

from __future__ import annotations

import functools
import tempfile
from typing import Any

import gradio as gr
import numpy as np
import torch
from PIL import Image

import zoo
from zoo import catalog, images, latent
from zoo.data import EmptyDrawingError, preprocess_sketch
from zoo.hub import weights_dir
from zoo.translation import cycle, read_digits

POOL = 64  # samples in the vector-arithmetic grid, indexed row by row
SCALE = 4


@functools.lru_cache(maxsize=32)
def _load(name: str, folder: str, source: str) -> zoo.ZooModel:
    return zoo.load(name, source=source)


def get_model(name: str | None, kind: type = torch.nn.Module) -> Any:
    """A cached model (eval mode, never mutated); a missing one becomes a readable gr.Error."""
    if not name:
        raise gr.Error(f"No model installed in {weights_dir()}: train one, or set GAN_ZOO_HUB_REPO.")
    try:
        model = _load(name, str(weights_dir()), "auto" if catalog.hub_configured() else "local")
    except zoo.ModelLoadError as err:
        raise gr.Error(f"Model {name!r} is not available: {err}") from err
    if not isinstance(model, kind):
        raise gr.Error(f"{name!r} is a {type(model).__name__}, not a {kind.__name__}.")
    return model


def _classifier(domain: str) -> zoo.DigitClassifier | None:
    name = catalog.CLASSIFIERS[domain]
    return get_model(name, zoo.DigitClassifier) if name in catalog.available("classifier") else None


def _reading(domain: str, image: torch.Tensor) -> str:
    clf = _classifier(domain)
    return str(read_digits(clf, image)[0]) if clf else "(classifier not installed)"


# --- handlers ---------------------------------------------------------------------------------------------


def translate_sketch(sketch: dict | np.ndarray | None, model_name: str) -> tuple[list[Image.Image], str]:
    """A Sketchpad drawing → [input, G(x), G(x) at 16×16, F(G(x))] and what the classifiers read."""
    drawing = sketch.get("composite") if isinstance(sketch, dict) else sketch
    if drawing is None:
        raise gr.Error("Draw a digit on the sketchpad first.")
    try:
        x = preprocess_sketch(np.asarray(drawing))
    except EmptyDrawingError as err:
        raise gr.Error("The sketchpad is empty: draw a digit first.") from err
    model = get_model(model_name, zoo.CycleGAN)
    result = cycle(model, x)
    pictures = [
        images.to_pil(result.source[0], SCALE),
        images.to_pil(result.translated[0], SCALE),
        images.to_pil(result.usps_16[0], 7),
        images.to_pil(result.reconstruction[0], SCALE),
    ]
    text = (
        f"λ = {model.lambda_cycle:g}. MNIST classifier reads the input as **{_reading('mnist', result.source)}**; "
        f"USPS classifier reads G(x) as **{_reading('usps', result.translated)}**; "
        f"MNIST classifier reads F(G(x)) as **{_reading('mnist', result.reconstruction)}**."
    )
    return pictures, text


def latent_walk(model_name: str, seeds_text: str, steps: int, mode: str) -> tuple[Image.Image, str]:
    """Frames through the seeds' latents: a strip, and the path of an animated GIF."""
    generator = get_model(model_name, zoo.Generator)
    try:
        seeds = latent.parse_seeds(seeds_text, minimum=2)
    except ValueError as err:
        raise gr.Error(str(err)) from err
    with torch.inference_mode():
        frames = generator.decode(latent.walk(latent.seed_latents(generator, seeds), int(steps), mode))
    with tempfile.NamedTemporaryFile(prefix="walk-", suffix=".gif", delete=False) as f:
        f.write(images.gif_bytes(frames, scale=SCALE, boomerang=True))
    return images.strip(frames, scale=2), f.name


def _pool(model_name: str, seed: int) -> tuple[zoo.Generator, torch.Tensor, torch.Tensor, list[int] | None]:
    generator = get_model(model_name, zoo.Generator)
    with torch.inference_mode():
        z = generator.latent(POOL, int(seed))
        samples = generator.decode(z)
    clf = _classifier("mnist")
    return generator, z, samples, [r.digit for r in read_digits(clf, samples)] if clf else None


def arithmetic_preset(model_name: str, seed: int) -> tuple[Image.Image, str, str, str, str]:
    """The grid of samples (indices row by row, 8 per row) and the thickness preset's groups A, B, C."""
    _, _, samples, labels = _pool(model_name, seed)
    groups, description = latent.thickness_preset(samples, labels)
    return (
        images.grid(samples, nrow=8, scale=2),
        *(", ".join(map(str, groups[g])) for g in "ABC"),
        f"Preset: {description}",
    )


def vector_arithmetic(model_name: str, seed: int, a: str, b: str, c: str) -> tuple[Image.Image, str]:
    """Decoded [mean(A), mean(B), mean(C), mean(A) − mean(B) + mean(C)] and the MNIST classifier's readings."""
    generator, z, _, _ = _pool(model_name, seed)
    try:
        groups = [latent.parse_seeds(t, what=f"group {g} sample number") for g, t in zip("ABC", (a, b, c), strict=True)]
    except ValueError as err:
        raise gr.Error(str(err)) from err
    if any(i >= POOL for g in groups for i in g):
        raise gr.Error(f"Sample numbers go from 0 to {POOL - 1}.")
    with torch.inference_mode():
        decoded = generator.decode(latent.arithmetic_terms(*(z[g] for g in groups)))
    clf = _classifier("mnist")
    titles = ["mean(A)", "mean(B)", "mean(C)", "A − B + C"]
    readings = read_digits(clf, decoded) if clf else None
    text = " · ".join(f"{t}: **{readings[i]}**" if readings else t for i, t in enumerate(titles))
    return images.strip(decoded, scale=SCALE), text


# --- layout -----------------------------------------------------------------------------------------------


def build_demo() -> gr.Blocks:
    translators, generators = catalog.available("translator"), catalog.available("generator")
    default_translator = "cyclegan-lambda10" if "cyclegan-lambda10" in translators else next(iter(translators), None)
    default_generator = "dcgan" if "dcgan" in generators else next(iter(generators), None)
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
