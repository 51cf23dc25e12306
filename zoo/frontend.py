"""What the two front ends (the Streamlit pages and the Gradio app) share besides the views themselves.

One model per process, whichever front end asks (``shared_model``); the classifiers that read digits on every
page (``readers``: the evaluator's, never a training-loss judge); and numbers typed in a text field
(``parse_numbers``). Shared models are used by every session and thread at once: they are in eval mode, and
nobody may mutate them; inference runs under ``torch.inference_mode()``.
"""

from __future__ import annotations

import functools

from .catalog import READERS, available, hub_configured
from .folder import weights_dir
from .hub import load
from .models import DigitClassifier, ModelLoadError, ZooModel


@functools.lru_cache(maxsize=32)
def _load(name: str, folder: str, source: str) -> ZooModel:
    """Keyed by the weights folder too, so that tests (and users) switching ``GAN_ZOO_WEIGHTS`` get their own."""
    return load(name, source=source)


def shared_model(name: str) -> ZooModel:
    """The model ``name``, loaded once per process: from the Hub first when ``GAN_ZOO_HUB_REPO`` is set, else
    from ``weights_dir()``. Raises ``ModelLoadError`` (with what is wrong) when it cannot be loaded."""
    return _load(name, str(weights_dir()), "auto" if hub_configured() else "local")


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
