"""What the two front ends (the Streamlit pages and the Gradio app) share: models, readers, and the views.

One model per process, whichever front end asks (``shared_model``); the classifiers that read digits on every
page (``readers``: the evaluator's, never a training-loss judge); numbers typed in a text field
(``parse_numbers``); how many CPU threads a server's inference uses (``serve_threads``). Shared models are used
by every session and thread at once: they are in eval mode, and nobody may mutate them; inference runs under
``torch.inference_mode()``.

The views at the end take model *names* and plain values (numbers, tuples, NumPy arrays) and return pictures
already encoded at display size with their words: one call per view, for both front ends, and a result that a
cache keyed by the arguments can keep (the Streamlit pages wrap them in ``st.cache_data``), so that a model never
runs again for inputs it has already seen.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

import numpy as np
import torch

from . import gallery, latent, translation
from .catalog import READERS, available, hub_configured
from .data import load_mnist, load_usps, resolve_data_dir
from .folder import weights_dir
from .hub import load
from .models import CycleGAN, DigitClassifier, Generator, ModelLoadError, ZooModel

THREADS_ENV = "GAN_ZOO_THREADS"
DATASETS = {"mnist": load_mnist, "usps": load_usps}


@functools.lru_cache(maxsize=32)
def _load(name: str, folder: str, source: str) -> ZooModel:
    """Keyed by the weights folder too, so that tests (and users) switching ``GAN_ZOO_WEIGHTS`` get their own."""
    return load(name, source=source)


def shared_model(name: str) -> ZooModel:
    """The model ``name``, loaded once per process: from the Hub first when ``GAN_ZOO_HUB_REPO`` is set, else
    from ``weights_dir()``. Raises ``ModelLoadError`` (with what is wrong) when it cannot be loaded."""
    return _load(name, str(weights_dir()), "auto" if hub_configured() else "local")


@functools.lru_cache(maxsize=8)
def _dataset(name: str, split: str, root: str) -> tuple[torch.Tensor, torch.Tensor]:
    return DATASETS[name](split, data_dir=root)


def dataset(name: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST or USPS (``name``) from zoo.data's usual folders, loaded once per process and shared by every session:
    never mutate it (``zoo.data``'s loaders hand out a fresh copy each call: 188 MB and 70 ms for MNIST's
    training set). Raises DataError when the data is not found."""
    return _dataset(name, split, str(resolve_data_dir(None, name)))


def reader(domain: str) -> DigitClassifier | None:
    """The classifier that reads ``domain``'s digits, or None when it is not installed (views then skip readings)."""
    name = READERS[domain]
    if name not in available("classifier"):
        return None
    try:
        model = shared_model(name)
    except ModelLoadError:
        return None
    return model if isinstance(model, DigitClassifier) else None


def readers() -> dict[str, DigitClassifier | None]:
    """Both domains' readers, as the translation views take them."""
    return {domain: reader(domain) for domain in READERS}


def parse_numbers(text: str, minimum: int = 1, what: str = "seed") -> list[int]:
    """Numbers typed in a UI field ("3, 14 15;9" → [3, 14, 15, 9]); the ValueError's message tells the user the fix."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    subject = what[:1].upper() + what[1:] + "s"
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"{subject} must be whole numbers separated by commas, got {text!r}.") from None
    if len(numbers) < minimum:
        raise ValueError(f"Give at least {minimum} {what}{'s' if minimum > 1 else ''}, got {len(numbers)}.")
    if any(n < 0 for n in numbers):
        raise ValueError(f"{subject} must be zero or positive.")
    return numbers


def serve_threads() -> int:
    """Run the calling thread's inference, and that of threads started after, on ``$GAN_ZOO_THREADS`` torch
    threads (default 1); returns the number.

    A server answers many small requests (one digit, one walk) from several sessions at once. On a small CPU,
    two intra-op threads per request barely speed one up (a translation takes 5 ms on one thread) and, as soon
    as anything else runs (another session, a training), their threads wait for each other: measured on
    2 cores beside two training jobs, one translation took 50 ms to 1.7 s on two threads, 5 to 10 ms on one.
    The apps call this on every script run (Streamlit) or at launch (Gradio); torch keeps it per thread.
    """
    threads = max(1, int(os.environ.get(THREADS_ENV) or 1))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


# --- the views, by model name ------------------------------------------------------------------------------


def generator(name: str) -> Generator:
    """The shared generator ``name``; ModelLoadError when it is missing or another kind of model."""
    return _of_kind(name, Generator)


def translator(name: str) -> CycleGAN:
    return _of_kind(name, CycleGAN)


def _of_kind(name: str, kind: type) -> ZooModel:
    model = shared_model(name)
    if not isinstance(model, kind):
        raise ModelLoadError(f"{name!r} is a {type(model).__name__}, not a {kind.__name__}.")
    return model


def _tensor(x: np.ndarray) -> torch.Tensor:
    """Digits passed to a view as a NumPy array (hashable by a cache): N×1×28×28 float in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).reshape(-1, 1, 28, 28)


def walk(name: str, seeds: Sequence[int], steps: int, mode: str = "slerp", gif_px: int = 224) -> latent.WalkView:
    """The Latent walk page's walk (``latent.walk_view``)."""
    return latent.walk_view(generator(name), list(seeds), steps, mode, gif_px)


def direction_sweep(name: str, seed: int, kind: str, index: int, span: float, steps: int) -> bytes:
    """A seed moved along a "random" direction (drawn from ``index`` as a seed) or an "axis" (coordinate ``index``)."""
    model = generator(name)
    pick = latent.random_direction if kind == "random" else latent.axis_direction
    return latent.direction_view(model, seed, pick(model.latent_dim, index), span, steps)


def pool(name: str, seed: int) -> latent.PoolView:
    """The vector arithmetic page's 64 numbered samples and their preset."""
    return latent.pool_view(generator(name), seed, reader("mnist"))


def arithmetic(
    name: str, seed: int, groups: Sequence[Sequence[int]], digits: Sequence[int] | None = None
) -> latent.ArithmeticView:
    """mean(A) − mean(B) + mean(C) on the pool of ``seed``; ``digits``: the pool's readings (``pool``), if known."""
    return latent.arithmetic_view(generator(name), seed, [list(g) for g in groups], reader("mnist"), digits)


def translation_view(name: str, x: np.ndarray, direction: str = "mnist_to_usps") -> translation.TranslationView:
    """The Draw page's four panels for one digit (``translation.translation_view``)."""
    return translation.translation_view(translator(name), _tensor(x)[:1], direction, readers())


def comparison(names: Sequence[str], x: np.ndarray, labels: Sequence[int] | None) -> list[translation.GridView]:
    """The λ page's grids: the digits ``x`` through every translator named (``translation.comparison_view``)."""
    models = {name: translator(name) for name in names}
    return translation.comparison_view(models, _tensor(x), list(labels) if labels is not None else None, readers())


def sample_sheets(names: Sequence[str], seed: int = 0) -> list[gallery.Sheet]:
    """The Gallery's opening: every named generator's samples of one seed, side by side."""
    return gallery.sample_sheets({name: generator(name) for name in names}, seed)


def samples(name: str, seed: int, truncation: float | None = None) -> bytes:
    return gallery.samples_view(generator(name), seed, truncation=truncation)


def neighbours(name: str, seed: int) -> bytes:
    """Samples above their nearest MNIST training digits; DataError (from zoo.data) when MNIST is not found."""
    return gallery.neighbours_view(generator(name), seed, dataset("mnist", "train")[0])
