"""Server-side latency of the app's heaviest interactions: ``python benchmarks/app_latency.py``.

- translation: a 224×224 RGBA canvas → ``preprocess_sketch`` → ``zoo.translation.translate_and_read`` (G, F and
  three classifier readings) → four PNG encodings (what the Draw page computes and sends after a stroke);
- 16-frame walk: two seeds → ``latent.walk_frames`` (slerp) → a PNG strip and a GIF (the Latent walk page);
- discriminators' readings: one digit → the four GANs' discriminators' verdicts (against 64 real and 64 generated
  digits each) and saliency maps → four PNGs (the discriminator's-view page, on a new digit);
- make it more real: 8 steps of gradient ascent against DCGAN's discriminator, 9 classifier readings, 9 PNGs;
- transport: 2×8 real and 2×8 OT-GAN digits → ``zoo.transport.transport`` at ε = 0.002 (critic features,
  500 Sinkhorn iterations, the energy distance's six plans) → the matching picture and the plan's figure;
- save a live training: a paused live DCGAN (``train.live``, the preset's sizes) exported as a model folder with
  its discriminator and card (the Train live page's "Save as model"; training itself is not an interaction).

Uses the models in weights/ when present (dcgan, cyclegan-lambda10, otgan, the classifiers, the GANs'
discriminators), else freshly initialised ones of the shipped default sizes: the cost is the same, only the
pictures differ. With ``--pages`` it also times the whole Streamlit page rerun (AppTest) after a widget change on
every page (the Gallery, walk, arithmetic and λ pages with inputs not seen before: a picture computed once is kept
for all sessions, and a repeat would only time the cache), and the Gallery's first load: in a new session of a
running server (pictures not computed yet), and right after the server starts (models and datasets not loaded
either). Everything runs on the apps' one torch thread (``zoo.frontend.serve_threads``) unless ``--threads``
says otherwise. Prints the median and 90th percentile over the repeats, in milliseconds, against the budget
(300 ms per interaction, 1 s for the Gallery's first load), and the median CPU time of the process: beside other
jobs the wall time grows with them, while the CPU time stays the work itself (on one thread, about what a quiet
machine's wall time is). Needs the zoo installed (``pip install -e .``, which
requirements.txt does).
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
from zoo import images, latent, plots, realness, transport
from zoo.folder import DISCRIMINATOR, save_discriminator, weights_dir
from zoo.models import BasicDiscriminator, DCGANDiscriminator, OTGANCritic, WGANCritic
from zoo.translation import translate_and_read

BUDGET_MS = 300
FIRST_LOAD_BUDGET_MS = 1000  # the Gallery, opened for the first time: the app's front door


def load_or_fresh() -> tuple[dict[str, zoo.ZooModel], str]:
    """The shipped models if weights/ holds them, else default-size untrained ones (same architecture cost)."""
    fresh = {
        "dcgan": zoo.DCGANGenerator(),
        "cyclegan-lambda10": zoo.CycleGAN(),
        "classifier-mnist": zoo.DigitClassifier("mnist"),
        "classifier-usps": zoo.DigitClassifier("usps"),
        "basic-gan": zoo.BasicGenerator(),
        "wgan": zoo.WGANGenerator(),
        "otgan": zoo.OTGANGenerator(),
        f"basic-gan/{DISCRIMINATOR}": BasicDiscriminator(),
        f"dcgan/{DISCRIMINATOR}": DCGANDiscriminator(),
        f"wgan/{DISCRIMINATOR}": WGANCritic(),
        f"otgan/{DISCRIMINATOR}": OTGANCritic(),
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


GANS = ("basic-gan", "dcgan", "wgan", "otgan")


def judges(models: dict[str, zoo.ZooModel], real: torch.Tensor) -> dict[str, realness.Judge]:
    """What the discriminator's-view page builds once per process (cached): a judge per GAN."""
    return {gan: realness.Judge(models[f"{gan}/{DISCRIMINATOR}"], real, models[gan].sample(64, seed=0)) for gan in GANS}


def discriminator_readings(models: dict[str, zoo.ZooModel], real: torch.Tensor) -> Callable[[], object]:
    x, cached = real[:1], judges(models, real)

    def run() -> object:
        out = []
        for judge in cached.values():
            verdict = realness.verdict(judge, x)
            out.append((verdict.value, images.png_bytes(realness.saliency_picture(x, realness.saliency(judge, x)))))
        return out

    return run


def more_real(models: dict[str, zoo.ZooModel], real: torch.Tensor) -> Callable[[], object]:
    judge = judges(models, real)["dcgan"]

    def run() -> object:
        ascent = realness.make_more_real(judge, real[:1], 8, 0.2, models["classifier-mnist"])
        return [images.png_bytes(p) for p in images.to_pils(ascent.frames, 3)]

    return run


def transport_view(models: dict[str, zoo.ZooModel], real: torch.Tensor) -> Callable[[], object]:
    critic, generator = models[f"otgan/{DISCRIMINATOR}"], models["otgan"]

    def run() -> object:
        generated = generator.sample(16, seed=0)
        t = transport.transport(real[:8], generated[:8], real[8:16], generated[8:], 0.002, critic)
        picture = images.png_bytes(transport.matching_picture(real[:8], generated[:8], t.plan, scale=3))
        return picture, plots.transport_plan(t.cost, t.plan, t.epsilon).to_json()

    return run


def save_live(repeats: int) -> list[Timing]:
    """ "Save as model" on a paused live DCGAN (the fast preset's sizes), into a temporary weights folder."""
    from train import live

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        _write_fake_mnist(data)
        training = live.LiveTraining(
            "dcgan", live.PRESETS["dcgan-fast"].settings, extra_argv=["--data-dir", str(data)]
        ).start()
        try:
            while training.snapshot().step < 3:
                training.heartbeat()
                time.sleep(0.05)
            training.pause()
            for i in range(repeats + 2):
                training.heartbeat()
                t0 = clock()
                training.save(f"live-{i}", root=tmp)
                out.append(since(t0))
        finally:
            training.stop()
    return out[2:]


def _write_fake_mnist(root: Path, n: int = 512) -> None:
    """A small MNIST-format training set, so that the live training starts in a second (speed is not measured)."""
    import gzip
    import struct

    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    pixels = (np.random.default_rng(0).random((n, 28, 28)) * 255).astype(np.uint8)
    for split, count in (("train", n), ("t10k", 64)):
        with gzip.open(raw / f"{split}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 2051, count, 28, 28) + pixels[:count].tobytes())
        with gzip.open(raw / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, count) + (np.arange(count) % 10).astype(np.uint8).tobytes())


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


Timing = tuple[float, float]  # (wall ms, CPU ms of the whole process)


def clock() -> Timing:
    return time.perf_counter(), time.process_time()


def since(t0: Timing) -> Timing:
    """Wall and CPU milliseconds since ``t0``. On a busy machine the wall time grows with what else runs; the CPU
    time is the work itself, and on one thread it is what a quiet machine's wall time comes down to."""
    wall, cpu = clock()
    return 1000 * (wall - t0[0]), 1000 * (cpu - t0[1])


def timings(fn: Callable[[], object], repeats: int, warmup: int = 3) -> list[Timing]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        out.append(since(t0))
    return out


def page_timings(models: dict[str, zoo.ZooModel], repeats: int) -> dict[str, list[Timing]]:
    """Whole page reruns under AppTest (script + zoo functions + element serialisation), after a widget change."""
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    with tempfile.TemporaryDirectory() as tmp:
        if any(not (weights_dir() / n).is_dir() for n in models):
            for name, model in models.items():
                if DISCRIMINATOR in name:
                    save_discriminator(model, Path(tmp) / name.split("/")[0])
                else:
                    model.save_pretrained(Path(tmp) / name)
            os.environ["GAN_ZOO_WEIGHTS"] = tmp
        presets = ["dcgan-fast", "wgan", "collapse", "otgan"]
        reruns = {  # page, what to set before timing, the widget change timed on the i-th rerun
            "draw page: next MNIST test digit": (
                "draw_translate",
                lambda at: at.radio(key="source").set_value("mnist"),
                lambda at, i: at.number_input(key="mnist_index").set_value(i + 1),
            ),
            "latent walk page: new seeds": (
                "latent_walk",
                lambda at: at.slider(key="steps").set_value(16),
                lambda at, i: at.text_input(key="seeds").input(f"{i}, {i + 1}"),
            ),
            "discriminator page: next MNIST test digit": (
                "discriminator",
                lambda at: at.radio(key="source").set_value("mnist"),
                lambda at, i: at.number_input(key="mnist_index").set_value(i + 1),
            ),
            "discriminator page: ascend with another discriminator": (
                "discriminator",
                lambda at: at.radio(key="source").set_value("mnist"),
                lambda at, i: at.selectbox(key="ascend_with").select(GANS[i % len(GANS)]),
            ),
            "transport page: new ε": (
                "transport",
                lambda at: at,
                lambda at, i: at.select_slider(key="epsilon").set_value(transport.EPSILONS[i % 10]),
            ),
            "train page: another preset": (
                "train_live",
                lambda at: at,
                lambda at, i: at.selectbox(key="preset").select(presets[i % len(presets)]),
            ),
            "gallery page: another seed": (
                "home",
                lambda at: at,
                lambda at, i: at.number_input(key="seed").set_value(i + 1),
            ),
            "gallery page: another model and seed": (
                "home",
                lambda at: at,
                lambda at, i: (
                    at.number_input(key="seed").set_value(100 + i),
                    at.selectbox(key="model").select(GANS[i % len(GANS)]),
                )[1],
            ),
            "latent walk page: 3 seeds × 32 frames, new seeds": (
                "latent_walk",
                lambda at: at.slider(key="steps").set_value(32),
                lambda at, i: at.text_input(key="seeds").input(f"{i}, {i + 1}, {i + 2}"),
            ),
            "vector arithmetic page: another grid seed": (
                "vector_arithmetic",
                lambda at: at,
                lambda at, i: at.number_input(key="seed").set_value(i + 1),
            ),
            "vector arithmetic page: another group C": (
                "vector_arithmetic",
                lambda at: at,
                lambda at, i: at.multiselect(key="group_c").set_value([i % 63, i % 63 + 1]),
            ),
            "λ page: other digits": (
                "lambda_comparison",
                lambda at: at,
                lambda at, i: at.multiselect(key="digits").set_value([i % 10, (i + 3) % 10, (i + 5) % 10]),
            ),
            "λ page: 12 random digits, new seed": (
                "lambda_comparison",
                lambda at: at.radio(key="inputs").set_value("Random").run().slider(key="n").set_value(12),
                lambda at, i: at.number_input(key="seed").set_value(i + 1),
            ),
        }
        out: dict[str, list[Timing]] = {label: [] for label in reruns}
        out.update(first_loads(app, repeats + 2))
        for label, (page, prepare, change) in reruns.items():
            at = AppTest.from_file(app, default_timeout=120).run()
            if page != "home":
                at.switch_page(f"pages/{page}.py").run()
            prepare(at).run()
            for i in range(repeats + 2):
                t0 = clock()
                change(at, i).run()
                out[label].append(since(t0))
        if os.environ.get("GAN_ZOO_WEIGHTS") == tmp:
            del os.environ["GAN_ZOO_WEIGHTS"]
    return {k: v[2:] for k, v in out.items()}  # the first reruns warm caches


def first_loads(app: str, repeats: int) -> dict[str, list[Timing]]:
    """The Gallery opened in a new session: with the server's models and data loaded but no picture computed
    yet (``st.cache_data`` emptied), and as the very first visitor after a start (models and data dropped too)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from zoo import data, frontend

    out: dict[str, list[Timing]] = {GALLERY_FIRST_LOAD: [], GALLERY_COLD_LOAD: []}
    for _ in range(repeats):
        for label in (GALLERY_COLD_LOAD, GALLERY_FIRST_LOAD):
            st.cache_data.clear()
            if label == GALLERY_COLD_LOAD:
                st.cache_resource.clear()
                frontend._load.cache_clear()
                frontend._dataset.cache_clear()
                data._load_mnist.cache_clear()
                data._load_usps16.cache_clear()
            t0 = clock()
            AppTest.from_file(app, default_timeout=120).run()
            out[label].append(since(t0))
    return out


GALLERY_FIRST_LOAD = "gallery page: first load in a new session"
GALLERY_COLD_LOAD = "gallery page: first load after the server starts (models and data loaded on the way)"
BUDGETS = {GALLERY_FIRST_LOAD: FIRST_LOAD_BUDGET_MS, GALLERY_COLD_LOAD: FIRST_LOAD_BUDGET_MS}


def _real_digits() -> torch.Tensor:
    """64 MNIST test digits when the data is found, else random strokes of the same shape (the cost is the same)."""
    from zoo.data import DataError, load_mnist

    try:
        return load_mnist("test")[0][:64]
    except DataError:
        return torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the apps', one)")
    parser.add_argument("--pages", action="store_true", help="also time whole Streamlit page reruns (AppTest)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    else:
        from zoo.frontend import serve_threads

        serve_threads()  # what the apps run their inference on
    models, origin = load_or_fresh()
    print(f"models: {origin}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPUs\n")
    results = {
        "translation (canvas → G, F, 3 readings, 4 PNGs)": timings(
            translation(models, canvas_with_a_seven()), args.repeats
        ),
        "16-frame walk (slerp → decode → PNG strip + GIF)": timings(walk16(models), args.repeats),
    }
    real = _real_digits()
    readings = discriminator_readings(models, real)
    results["4 discriminators' readings + saliency (4 PNGs)"] = timings(readings, args.repeats)
    results["make it more real (8 steps, 9 readings, 9 PNGs)"] = timings(more_real(models, real), args.repeats)
    results["transport (2×8 vs 2×8, ε 0.002, critic, 7 plans, picture + figure)"] = timings(
        transport_view(models, real), args.repeats
    )
    results["save a live DCGAN as a model folder"] = save_live(min(args.repeats, 10))
    if args.pages:
        results.update(page_timings(models, args.repeats))
    print("| interaction | median ms | p90 ms | CPU median ms | budget ms | within |")
    print("|---|---|---|---|---|---|")
    for name, values in results.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        median = statistics.median(walls)
        p90 = statistics.quantiles(walls, n=10)[-1]
        budget = BUDGETS.get(name, BUDGET_MS)
        print(
            f"| {name} | {median:.1f} | {p90:.1f} | {statistics.median(cpus):.1f} | {budget} | "
            f"{'yes' if p90 < budget else 'NO'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
