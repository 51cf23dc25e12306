"""Server-side latency of the app's two heaviest interactions: ``python benchmarks/app_latency.py``.

- translation: a 224×224 RGBA canvas → ``preprocess_sketch`` → ``zoo.translation.translate_and_read`` (G, F and
  three classifier readings) → four PNG encodings (what the Draw page computes and sends after a stroke);
- 16-frame walk: two seeds → ``latent.walk_frames`` (slerp) → a PNG strip and a GIF (the Latent walk page).

Uses the models in weights/ when present (dcgan, cyclegan-lambda10, the classifiers), else freshly initialised
ones of the shipped default sizes (``DCGANGenerator()``, ``CycleGAN()``, ``DigitClassifier()``): the cost is the
same, only the pictures differ. With ``--pages`` it also times the whole Streamlit page rerun (AppTest) after a
widget change. Prints the median and 90th percentile over the repeats, in milliseconds. Needs the zoo installed
(``pip install -e .``, which requirements.txt does).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

import zoo
from zoo import images, latent
from zoo.folder import weights_dir
from zoo.translation import translate_and_read

BUDGET_MS = 300


def load_or_fresh() -> tuple[dict[str, zoo.ZooModel], str]:
    """The shipped models if weights/ holds them, else default-size untrained ones (same architecture cost)."""
    fresh = {
        "dcgan": zoo.DCGANGenerator(),
        "cyclegan-lambda10": zoo.CycleGAN(),
        "classifier-mnist": zoo.DigitClassifier("mnist"),
        "classifier-usps": zoo.DigitClassifier("usps"),
    }
    models, origin = {}, []
    for name, model in fresh.items():
        try:
            models[name] = zoo.load(name)
            origin.append(f"{name}: weights/")
        except zoo.ModelLoadError:
            models[name] = model.eval()
            origin.append(f"{name}: fresh default-size")
    return models, "; ".join(origin)


def canvas_with_a_seven() -> np.ndarray:
    canvas = np.zeros((224, 224, 4), dtype=np.uint8)
    canvas[..., 3] = 255
    canvas[40:58, 60:170, :3] = 255
    for row in range(58, 200):
        col = int(170 - (row - 58) * 0.5)
        canvas[row, col - 9 : col + 9, :3] = 255
    return canvas


def translation(models: dict[str, zoo.ZooModel], canvas: np.ndarray) -> Callable[[], object]:
    readers = {"mnist": models["classifier-mnist"], "usps": models["classifier-usps"]}

    def run() -> object:
        x = images.preprocess_sketch(canvas)
        panels = translate_and_read(models["cyclegan-lambda10"], x, "mnist_to_usps", readers)
        return [p.reading for p in panels], [images.png_bytes(p.picture()) for p in panels]

    return run


def walk16(models: dict[str, zoo.ZooModel]) -> Callable[[], object]:
    generator = models["dcgan"]

    def run() -> object:
        frames = latent.walk_frames(generator, [0, 1], 16, "slerp")
        return images.png_bytes(images.strip(frames, scale=2)), images.gif_bytes(frames, scale=4, boomerang=True)

    return run


def timings(fn: Callable[[], object], repeats: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def page_timings(models: dict[str, zoo.ZooModel], repeats: int) -> dict[str, list[float]]:
    """Whole page reruns under AppTest (script + zoo functions + element serialisation), after a widget change."""
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    with tempfile.TemporaryDirectory() as tmp:
        if any(not (weights_dir() / n).is_dir() for n in models):
            for name, model in models.items():
                model.save_pretrained(Path(tmp) / name)
            os.environ["GAN_ZOO_WEIGHTS"] = tmp
        out: dict[str, list[float]] = {"draw page: next MNIST test digit": [], "latent walk page: new seeds": []}
        at = AppTest.from_file(app, default_timeout=120).run()
        at.switch_page("pages/draw_translate.py").run()
        at.radio(key="source").set_value("mnist").run()
        for i in range(repeats + 2):
            t0 = time.perf_counter()
            at.number_input(key="mnist_index").set_value(i + 1).run()
            out["draw page: next MNIST test digit"].append(1000 * (time.perf_counter() - t0))
        at = AppTest.from_file(app, default_timeout=120).run()
        at.switch_page("pages/latent_walk.py").run()
        at.slider(key="steps").set_value(16).run()
        for i in range(repeats + 2):
            t0 = time.perf_counter()
            at.text_input(key="seeds").input(f"{i}, {i + 1}").run()
            out["latent walk page: new seeds"].append(1000 * (time.perf_counter() - t0))
        if os.environ.get("GAN_ZOO_WEIGHTS") == tmp:
            del os.environ["GAN_ZOO_WEIGHTS"]
    return {k: v[2:] for k, v in out.items()}  # the first reruns warm caches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    parser.add_argument("--pages", action="store_true", help="also time whole Streamlit page reruns (AppTest)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    models, origin = load_or_fresh()
    print(f"models: {origin}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPUs\n")
    results = {
        "translation (canvas → G, F, 3 readings, 4 PNGs)": timings(
            translation(models, canvas_with_a_seven()), args.repeats
        ),
        "16-frame walk (slerp → decode → PNG strip + GIF)": timings(walk16(models), args.repeats),
    }
    if args.pages:
        results.update(page_timings(models, args.repeats))
    print(f"| interaction | median ms | p90 ms | within {BUDGET_MS} ms |")
    print("|---|---|---|---|")
    for name, values in results.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"| {name} | {median:.1f} | {p90:.1f} | {'yes' if p90 < BUDGET_MS else 'NO'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
