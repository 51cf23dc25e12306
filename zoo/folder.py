"""The model folder: the one contract between training, evaluation, the Hub and the apps.

A model folder is what ``zoo.load`` reads and what a training run exports (``runs/<name>/model``, shipped as
``weights/<name>``, pushed as ``OWNER/gan-zoo/<name>``):

    config.json          the constructor arguments plus ``arch``: the folder's identity (class, λ, objective…)
    model.safetensors    the weights, loaded strictly
    README.md            the model card (written by zoo.card)
    metrics.json         the figures ``python -m zoo.evaluate`` measured, with its reference rows
    training.json        how it was made: exact command, seed, steps, wall time, hardware (train/loop.py)
    training_log.jsonl   a thinned copy of the run's metrics log, for the app's training curves
    samples.png          the run's last preview grid
    discriminator/       a GAN's trained discriminator or critic, itself a model folder (config.json +
                         model.safetensors, half precision); only the discriminator's-view page loads it

Each file's name and schema are stated here, and every reader and writer of them (training's export, the
evaluator, the cards, the Hub push, the Space builder, the apps) goes through these functions, so a change to
the folder is a change to this file. Readers of optional files return ``None`` (or an empty list) when the file
is absent or unreadable: a folder without figures still loads and still shows.

Shipped folders are found in ``$GAN_ZOO_WEIGHTS`` when it is set, else in the weights bundled with an installed
package (``pip install .``), else in the checkout's ``weights/``.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any, TypedDict

from huggingface_hub.constants import CONFIG_NAME, SAFETENSORS_SINGLE_FILE

from .models.base import ARCHITECTURES, ModelLoadError, ZooModel

CONFIG = CONFIG_NAME  # the Hub mixin's own names: save_pretrained writes them, from_pretrained reads them
WEIGHTS = SAFETENSORS_SINGLE_FILE
CARD = "README.md"
METRICS = "metrics.json"
TRAINING = "training.json"
TRAINING_LOG = "training_log.jsonl"
SAMPLES = "samples.png"
NOTES = "notes.md"  # the experiments behind the model's recipe (what was tried, with figures); the card quotes it
FILES = (CONFIG, WEIGHTS, CARD, METRICS, TRAINING, TRAINING_LOG, SAMPLES, NOTES)  # all a folder may hold, push order
DISCRIMINATOR = "discriminator"  # the subfolder holding a GAN's discriminator/critic beside its generator
MAX_CURVE_POINTS = 300  # lines kept in training_log.jsonl: enough for a smooth curve, small enough to ship

WEIGHTS_ENV = "GAN_ZOO_WEIGHTS"
BUNDLED_WEIGHTS = Path(__file__).resolve().parent / "weights"  # inside an installed wheel (pip install .)
CHECKOUT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights"  # a clone, or an editable install


class Evaluation(TypedDict, total=False):
    """metrics.json: what ``python -m zoo.evaluate`` measured (``metrics``, with its ``kind``) and when."""

    seed: int
    evaluated: str
    evaluator: str
    metrics: dict[str, Any]
    reference: dict[str, dict[str, Any]]


class TrainingInfo(TypedDict, total=False):
    """training.json: the command that reproduces the model and what the run cost."""

    command: str
    arguments: dict[str, Any]
    seed: int
    steps: int
    batch_size: int
    wall_time_s: float
    hardware: str
    world_size: int
    torch: str
    finished: str
    results: dict[str, float]
    origin: str  # "live": trained in the app's Train live page and saved there mid-way (absent: the command line)
    started_from: dict[str, Any]  # a fine-tuning run's (--init-from): the training.json of the model it started from


# --- where folders are --------------------------------------------------------------------------------------


def weights_dir() -> Path:
    """The folder of the shipped models: ``$GAN_ZOO_WEIGHTS``, else the installed package's, else the checkout's."""
    if os.environ.get(WEIGHTS_ENV):
        return Path(os.environ[WEIGHTS_ENV]).expanduser()
    return BUNDLED_WEIGHTS if BUNDLED_WEIGHTS.is_dir() else CHECKOUT_WEIGHTS


def local(name: str) -> Path:
    """Where the model ``name`` lives (or would live) under ``weights_dir()``."""
    return weights_dir() / name


def is_model_folder(path: Path) -> bool:
    return (path / CONFIG).is_file() and (path / WEIGHTS).is_file()


def list_models(root: str | os.PathLike | None = None) -> list[str]:
    """Names of the model folders present (config and weights) under ``root`` (default ``weights_dir()``)."""
    root = Path(root) if root else weights_dir()
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if is_model_folder(p)), key=_natural_key)


def _natural_key(name: str) -> list[int | str]:
    """Numbers compare as numbers, so cyclegan-lambda3 comes before cyclegan-lambda10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def resolve(name_or_path: str | os.PathLike) -> Path:
    """A folder path as given, else ``weights_dir()/<name>``; a ModelLoadError lists what is available."""
    path = Path(name_or_path)
    if _is_dir(path):
        return path
    candidate = local(str(name_or_path))
    if _is_dir(candidate):
        return candidate
    available = ", ".join(list_models()) or "none"
    shown = str(name_or_path) if len(str(name_or_path)) <= 80 else str(name_or_path)[:77] + "…"
    raise ModelLoadError(
        f"No model folder {shown!r}: not a directory, and not in {weights_dir()} (available: {available})."
    )


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, False for names the filesystem refuses (too long, NUL bytes) instead of an OSError."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def contents(folder: Path) -> list[Path]:
    """The contract's files present in ``folder``, in ``FILES`` order (what a push uploads; nothing else)."""
    return [folder / name for name in FILES if (folder / name).is_file()]


# --- config and weights -------------------------------------------------------------------------------------


MAX_CONFIG_BYTES = 64 * 1024  # a real config.json is under 1 kB
MAX_CONFIG_INT = 1 << 16  # above every size parameter of the zoo's architectures (widths, latent_dim, blocks)
MAX_CONFIG_ITEMS = 64  # list lengths (e.g. the MLP's hidden layer sizes)


def read_config(folder: str | os.PathLike) -> dict[str, Any]:
    """The folder's config.json, validated before anything is built from it.

    A folder may come from anyone, so the file must be a small JSON object naming a known ``arch`` whose numbers
    are finite and within sizes no architecture here uses (a negative width or a billion-wide latent would
    otherwise reach a constructor); the shapes themselves are checked against the weights file when loading.
    """
    path = Path(folder) / CONFIG
    if not path.is_file():
        raise ModelLoadError(f"No {CONFIG} in {folder}: not a GAN Zoo model folder.")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ModelLoadError(f"{path} is {path.stat().st_size:,} bytes: too large to be a model config.")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise ModelLoadError(f"Corrupt config file {path}: {err}") from err
    if not isinstance(config, dict):
        raise ModelLoadError(f"{path} holds a JSON {type(config).__name__}, not an object of model settings.")
    if config.get("arch") not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ModelLoadError(f"{path} names architecture {config.get('arch')!r}; known: {known}.")
    for key, value in config.items():
        problem = _config_value_problem(value)
        if problem:
            raise ModelLoadError(f"{path}: {key} = {_short(value)} {problem}.")
    return config


def _config_value_problem(value: Any) -> str | None:
    """Why a config value cannot be a constructor argument of the zoo's models, or None when it can."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if 0 <= value <= MAX_CONFIG_INT else f"is out of range (0 to {MAX_CONFIG_INT})"
    if isinstance(value, float):
        return None if math.isfinite(value) else "is not a finite number"
    if isinstance(value, str):
        return None if len(value) <= 256 else "is too long"
    if isinstance(value, list):
        if len(value) > MAX_CONFIG_ITEMS:
            return f"has more than {MAX_CONFIG_ITEMS} items"
        if any(isinstance(v, list | dict) for v in value):
            return "nests lists or objects"
        return next((p for p in map(_config_value_problem, value) if p), None)
    return "is not a number, string or list of them"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "…"


def model_class(folder: str | os.PathLike) -> type[ZooModel]:
    """The class config.json names; its ``kind`` says what the folder is without loading any weights."""
    return ARCHITECTURES[read_config(folder)["arch"]]


def load_model(folder: str | os.PathLike) -> ZooModel:
    """The folder's model, loaded strictly, in eval mode on the CPU."""
    folder = Path(folder)
    cls = model_class(folder)
    try:
        model = cls.from_pretrained(str(folder), strict=True, map_location="cpu")
    except (TypeError, ValueError) as err:  # the Hub mixin decoding an argument of the wrong type
        raise ModelLoadError(f"{folder / CONFIG} does not fit {cls.__name__}: {err}") from err
    return model.eval()


def save_model(model: ZooModel, folder: Path, half: bool = False) -> None:
    """config.json and model.safetensors (the Hub mixin also writes a placeholder card if none exists).

    ``half`` stores the weights in float16 (``model`` itself is left as it is): for networks that are only ever
    read from their folder, never trained further from it, since every shipped byte travels with each clone, wheel
    and Space (``weights/`` is held under 60 MB); loading casts them back to float32, so such a folder loads like
    any other. The weights get the permissions of config.json, as any file this process creates (0644 under the
    usual umask): safetensors writes them through a private temporary file (0600), which would keep other users,
    a web server or a Docker image's user from reading them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (copy.deepcopy(model).cpu().half() if half else model).save_pretrained(folder)
    (folder / WEIGHTS).chmod((folder / CONFIG).stat().st_mode & 0o777)


def discriminator_folder(folder: str | os.PathLike) -> Path | None:
    """The generator folder's ``discriminator/`` subfolder when it holds a model (config and weights), else None."""
    path = Path(folder) / DISCRIMINATOR
    return path if is_model_folder(path) else None


def save_discriminator(model: ZooModel, folder: str | os.PathLike) -> Path:
    """Save a GAN's discriminator or critic as ``folder/discriminator/``, beside the generator in ``folder``.

    The weights are stored in half precision (``save_model(half=True)``): a discriminator is only ever read
    (scores, saliency), never trained further from here (the MLP GAN's has 4.2 M weights).
    """
    path = Path(folder) / DISCRIMINATOR
    save_model(model, path, half=True)  # a half-precision copy: the trained net is left as it is
    return path


# --- what a folder records about itself ---------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def read_metrics(folder: Path) -> Evaluation | None:
    """metrics.json, or None when absent, unreadable, or without a ``metrics`` table."""
    data = _read_json(folder / METRICS)
    return data if isinstance(data, dict) and isinstance(data.get("metrics"), dict) else None


def write_metrics(folder: Path, evaluation: Evaluation) -> Path:
    return _write_json(folder / METRICS, evaluation)


def read_training(folder: Path) -> TrainingInfo | None:
    """training.json, or None when absent or unreadable (models not trained by this repository's loop)."""
    data = _read_json(folder / TRAINING)
    return data if isinstance(data, dict) else None


def write_training(folder: Path, info: TrainingInfo) -> Path:
    return _write_json(folder / TRAINING, info)


def read_training_log(folder: Path) -> list[dict[str, Any]]:
    """The training_log.jsonl records (step, losses, images_per_s, wall_time); bad lines are skipped."""
    path = folder / TRAINING_LOG
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "step" in record:
            records.append(record)
    return records


def write_training_log(
    folder: Path, metrics_log: Path, max_points: int = MAX_CURVE_POINTS, up_to_step: int | None = None
) -> Path | None:
    """A run's JSON-lines metrics log, thinned to at most ``max_points`` lines (and the last), as training_log.jsonl.

    ``up_to_step`` keeps only the lines of steps up to it: a model exported from a checkpoint while its run goes on
    logging records the curve that led to it, not what came after.
    """
    if not metrics_log.exists():
        return None
    lines = metrics_log.read_text(encoding="utf-8").splitlines()
    if up_to_step is not None:
        lines = lines_up_to(lines, up_to_step)
    stride = max(1, math.ceil(len(lines) / max_points))
    keep = lines[::stride]
    if lines and keep[-1] != lines[-1]:
        keep.append(lines[-1])
    path = folder / TRAINING_LOG
    path.write_text("\n".join(keep) + ("\n" if keep else ""), encoding="utf-8")
    return path


def logged_step(line: str) -> int | None:
    """The step of one metrics-log line; None for a line a kill cut short or that names no step."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    step = record.get("step") if isinstance(record, dict) else None
    return step if isinstance(step, int) else None


def lines_up_to(lines: list[str], step: int) -> list[str]:
    """The metrics-log lines of steps up to ``step``, in order; lines without a readable step are dropped."""
    return [line for line in lines if (logged := logged_step(line)) is not None and logged <= step]


def read_notes(folder: Path) -> str | None:
    """notes.md: the record of what was tried for this model (written by its trainers, quoted in the card)."""
    path = Path(folder) / NOTES
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def samples(folder: Path) -> Path | None:
    path = folder / SAMPLES
    return path if path.is_file() else None


def write_samples(folder: Path, png: Path) -> Path | None:
    """Copy a preview grid in as samples.png (nothing when the run wrote none)."""
    if not png.is_file():
        return None
    return Path(shutil.copyfile(png, folder / SAMPLES))


def write_card(folder: Path, text: str) -> Path:
    path = folder / CARD
    path.write_text(text, encoding="utf-8")
    return path
