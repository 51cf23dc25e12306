"""Which models the zoo ships, which are installed, and what each one is: read from their config.json.

A folder's config.json is its identity: its ``arch`` gives the class and so the kind (generator, translator,
classifier; a GAN's discriminator lives beside its generator and is never offered as a model of its own), a
CycleGAN's ``lambda_cycle``, ``lambda_identity`` and ``semantic_weight`` give its objective. The only names
written here are the shipped ones, so that a fresh clone with some weights missing can say what is absent and how
to make it; everything else is read from the folders. Reads files only; never loads weights.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .folder import DISCRIMINATOR, discriminator_folder, list_models, local, model_class, read_config
from .hub import HUB_REPO_ENV
from .models import ModelLoadError

SHIPPED: dict[str, tuple[str, str]] = {  # name → (kind, the command that makes it), in display order
    "basic-gan": ("generator", "python -m train.basic --out runs/basic-gan"),
    "dcgan": ("generator", "python -m train.dcgan --out runs/dcgan"),
    "wgan": ("generator", "python -m train.wgan --out runs/wgan"),
    "otgan": ("generator", "python -m train.otgan --out runs/otgan"),
    "cyclegan-lambda0": ("translator", "python -m train.cyclegan --lambda-cycle 0 --out runs/cyclegan-lambda0"),
    "cyclegan-lambda3": ("translator", "python -m train.cyclegan --lambda-cycle 3 --out runs/cyclegan-lambda3"),
    "cyclegan-lambda6": ("translator", "python -m train.cyclegan --lambda-cycle 6 --out runs/cyclegan-lambda6"),
    "cyclegan-lambda10": ("translator", "python -m train.cyclegan --lambda-cycle 10 --out runs/cyclegan-lambda10"),
    "cyclegan-lambda15": ("translator", "python -m train.cyclegan --lambda-cycle 15 --out runs/cyclegan-lambda15"),
    "cyclegan-semantic": (
        "translator",
        "python -m train.cyclegan --semantic-weight 1 --semantic-classifier classifier-mnist-semantic "
        "classifier-mnist-semantic2 --semantic-augment --semantic-pseudo mnist-box --steps 14000 "
        "--out runs/cyclegan-semantic",
    ),
    "classifier-mnist": ("classifier", "python -m train.classifier --domain mnist --out runs/classifier-mnist"),
    "classifier-usps": ("classifier", "python -m train.classifier --domain usps --out runs/classifier-usps"),
    "classifier-mnist-semantic": (
        "classifier",
        "python -m train.classifier --domain mnist --width 16 --seed 1 --steps 3000 "
        "--out runs/classifier-mnist-semantic",
    ),
    "classifier-mnist-semantic2": (
        "classifier",
        "python -m train.classifier --domain mnist --width 24 --seed 2 --steps 3000 "
        "--out runs/classifier-mnist-semantic2",
    ),
}
TITLES = {"basic-gan": "MLP GAN", "dcgan": "DCGAN", "wgan": "WGAN", "otgan": "OT-GAN"}  # the GANs' display names
# The evaluator's instruments: they read digits for every figure and every page. Other classifiers (the semantic
# loss's judge) are never used to read, or the measure would be circular.
READERS = {"mnist": "classifier-mnist", "usps": "classifier-usps"}
PREFERRED = {"generator": ("dcgan",), "translator": ("cyclegan-semantic", "cyclegan-lambda10")}  # pages open on


def kind(name: str) -> str | None:
    """ "generator", "translator" or "classifier": from the folder's config.json, else from the shipped list."""
    try:
        return model_class(local(name)).kind
    except ModelLoadError:
        return SHIPPED[name][0] if name in SHIPPED else None


def title(name: str) -> str:
    """How the pages name a model: "DCGAN" for the shipped GANs, else its folder name."""
    return TITLES.get(name, name)


def hub_configured() -> bool:
    return bool(os.environ.get(HUB_REPO_ENV))


def available(of_kind: str | None = None) -> list[str]:
    """Models the app can offer: local folders, plus every shipped name when a Hub repository is configured.

    A discriminator folder is never offered, even one copied to the top level: it only judges images.
    """
    names = set(list_models())
    if hub_configured():
        names |= set(SHIPPED)
    found = [n for n in names if (kind(n) == of_kind if of_kind else kind(n) != "discriminator")]
    return sorted(found, key=_display_order)


def discriminators() -> dict[str, str]:
    """Generator name → the name that loads its GAN's discriminator (``"dcgan/discriminator"``), for the
    generators whose local folder ships one (``zoo.folder.discriminator_folder``), in display order."""
    return {n: f"{n}/{DISCRIMINATOR}" for n in available("generator") if discriminator_folder(local(n))}


def missing(of_kind: str | None = None) -> list[str]:
    """Shipped models of a kind that are not available (yet)."""
    present = set(available(of_kind))
    return [n for n, (k, _) in SHIPPED.items() if (of_kind is None or k == of_kind) and n not in present]


def default(of_kind: str) -> str | None:
    """The model a page opens on: the first preferred one that is available, else the first available."""
    names = available(of_kind)
    return next((n for n in PREFERRED.get(of_kind, ()) if n in names), names[0] if names else None)


def inventory() -> list[dict[str, str]]:
    """The table of models the gallery shows: every shipped one (installed or missing), then any others."""
    installed = available()
    rows = [
        {"model": name, "kind": k, "installed": "✅" if name in installed else "missing"}
        for name, (k, _) in SHIPPED.items()
    ]
    return rows + [{"model": n, "kind": kind(n) or "", "installed": "✅"} for n in installed if n not in SHIPPED]


def how_to_get(name: str) -> str:
    """One line telling a user how to produce a missing model folder."""
    if name in SHIPPED:
        command = SHIPPED[name][1]
    else:
        try:
            command = f"python -m train.{read_config(local(name))['arch']} --out runs/{name}"
        except ModelLoadError:
            command = f"python -m train.<model> --out runs/{name}"
    return f"`{command}`, then copy `runs/{name}/model` to `{local(name)}`"


def _display_order(name: str) -> tuple[int, float, str]:
    shipped = list(SHIPPED)
    return (shipped.index(name) if name in shipped else len(shipped), objective(name).lambda_cycle, name)


# --- a translator's objective ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """What a CycleGAN was trained with, as its config.json records it: λ, the identity weight, the semantic loss.

    The λ sweep is the plain CycleGANs (no semantic loss), shown against λ; a translator trained with another
    objective is shown apart from it, labelled with what differs, so that a chart against λ compares like with
    like. The trainer's default identity weight is 0; ``None`` marks a folder saved before the weight was
    recorded, when it was the reference's 0.5·λ.
    """

    lambda_cycle: float = 0.0
    lambda_identity: float | None = 0.0
    semantic_weight: float = 0.0

    @classmethod
    def of(cls, source: Mapping[str, Any] | object) -> Objective:
        """From a config or metrics dict, or from a loaded CycleGAN (its constructor arguments are attributes)."""
        get = source.get if isinstance(source, Mapping) else lambda key: getattr(source, key, None)
        identity = get("lambda_identity")  # absent in folders saved before it was recorded
        return cls(
            float(get("lambda_cycle") or 0.0),
            None if identity is None else float(identity),
            float(get("semantic_weight") or 0.0),
        )

    @property
    def in_sweep(self) -> bool:
        return self.semantic_weight == 0

    @property
    def label(self) -> str:
        """ "λ = 10" for the sweep; e.g. "semantic (CyCADA), λ = 10" or "λ = 10, identity 5" when they differ."""
        parts = ["semantic (CyCADA)"] if self.semantic_weight else []
        parts.append(f"λ = {self.lambda_cycle:g}")
        if self.lambda_identity is None:
            parts.append("identity 0.5·λ")
        elif self.lambda_identity:
            parts.append(f"identity {self.lambda_identity:g}")
        return ", ".join(parts)


def objective(name: str) -> Objective:
    """A local folder's objective (all zero for a missing folder or another kind of model)."""
    try:
        return Objective.of(read_config(local(name)))
    except ModelLoadError:
        return Objective()
