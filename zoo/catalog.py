"""What the zoo ships and what a model folder says about itself (metrics, training curves, sample grid).

The UIs ask here which models exist, of which kind, and which of the shipped ones are still missing, so that
a fresh clone with only some weights still runs and says what is absent. Reads files only; never loads weights.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .hub import HUB_REPO_ENV, list_models, weights_dir
from .models import ModelLoadError
from .models.base import read_config

GENERATORS = ("basic-gan", "dcgan", "wgan", "otgan")
LAMBDAS = (0, 3, 6, 10, 15)
TRANSLATORS = tuple(f"cyclegan-lambda{lam}" for lam in LAMBDAS)
CLASSIFIERS = {"mnist": "classifier-mnist", "usps": "classifier-usps"}
SHIPPED = {
    **dict.fromkeys(GENERATORS, "generator"),
    **dict.fromkeys(TRANSLATORS, "translator"),
    **{name: "classifier" for name in CLASSIFIERS.values()},
}
KIND_OF_ARCH = {"cyclegan": "translator", "classifier": "classifier"}  # every other architecture generates
TRAIN_COMMANDS = {
    "generator": "python -m train.{arch} --out runs/{name}",
    "translator": "python -m train.cyclegan --lambda-cycle {lam} --out runs/{name}",
    "classifier": "python -m train.classifier --domain {domain} --out runs/{name}",
}
METRICS_FILE, TRAINING_LOG, SAMPLES_FILE = "metrics.json", "training_log.jsonl", "samples.png"


def folder(name: str) -> Path:
    return weights_dir() / name


def kind(name: str) -> str | None:
    """ "generator", "translator" or "classifier": from the folder's config.json, else from the shipped list."""
    try:
        return KIND_OF_ARCH.get(read_config(folder(name))["arch"], "generator")
    except ModelLoadError:
        return SHIPPED.get(name)


def hub_configured() -> bool:
    return bool(os.environ.get(HUB_REPO_ENV))


def available(of_kind: str | None = None) -> list[str]:
    """Models the app can offer: local folders, plus every shipped name when a Hub repository is configured."""
    names = set(list_models())
    if hub_configured():
        names |= set(SHIPPED)
    found = [n for n in names if of_kind is None or kind(n) == of_kind]
    return sorted(found, key=_display_order)


def missing(of_kind: str | None = None) -> list[str]:
    """Shipped models of a kind that are not available (yet)."""
    present = set(available(of_kind))
    return [n for n, k in SHIPPED.items() if (of_kind is None or k == of_kind) and n not in present]


def lambda_of(name: str) -> float | None:
    """λ of a CycleGAN folder: config.json's lambda_cycle, else the number in its name."""
    try:
        value = read_config(folder(name)).get("lambda_cycle")
        if value is not None:
            return float(value)
    except ModelLoadError:
        pass
    match = re.search(r"lambda(\d+(?:\.\d+)?)", name)
    return float(match.group(1)) if match else None


def _display_order(name: str) -> tuple[int, float, str]:
    shipped = list(SHIPPED)
    return (shipped.index(name) if name in shipped else len(shipped), lambda_of(name) or 0.0, name)


def how_to_get(name: str) -> str:
    """One line telling a user how to produce a missing model folder."""
    k = SHIPPED.get(name) or kind(name) or "generator"
    arch = "basic" if name == "basic-gan" else name
    command = TRAIN_COMMANDS[k].format(
        arch=arch, name=name, lam=int(lambda_of(name) or 0), domain=name.removeprefix("classifier-")
    )
    return f"`{command}`, then copy `runs/{name}/model` to `{weights_dir() / name}`"


def read_metrics(name: str) -> dict[str, Any] | None:
    """The folder's metrics.json ({"seed", "evaluated", "metrics", "reference"}), or None if absent/unreadable."""
    path = folder(name) / METRICS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("metrics"), dict) else None


def read_training_log(name: str) -> list[dict[str, float]]:
    """The training_log.jsonl records (step, losses, images_per_s, wall_time); bad lines are skipped."""
    path = folder(name) / TRAINING_LOG
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


def samples_image(name: str) -> Path | None:
    path = folder(name) / SAMPLES_FILE
    return path if path.is_file() else None
