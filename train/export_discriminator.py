"""Save a GAN run's discriminator (or critic) from its checkpoint, beside the run's exported generator.

Runs started before the export wrote ``model/discriminator/`` hold their discriminator only in
``RUN_DIR/checkpoint.pt``. This rebuilds the trainer's recipe from the arguments the checkpoint recorded (so the
network is made exactly as the trainer makes it; no architecture is repeated here), loads the checkpoint's
weights into the net the recipe names as its discriminator, and saves it as ``MODEL_DIR/discriminator/``
(``zoo.folder.save_discriminator``):

    python -m train.export_discriminator runs/dcgan                        # → runs/dcgan/model/discriminator/
    python -m train.export_discriminator runs/dcgan --model-dir weights/dcgan

The trainer is read from ``RUN_DIR/model/training.json`` when the run finished, else recognised from the
checkpoint's argument names (``--trainer`` overrides both). Building the recipe reads the training data, as the
run did (``--data-dir``, ``$GAN_ZOO_DATA``, ./data, ../shared/data).
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
from pathlib import Path
from typing import Any

import torch

from train import cli
from train.loop import CHECKPOINT, RunError, Runtime, read_checkpoint, run_arguments
from zoo.data import DataError
from zoo.folder import read_training, save_discriminator

GAN_TRAINERS = ("train.basic", "train.dcgan", "train.wgan", "train.otgan")


def trainer_arguments(module_name: str, out: Path) -> argparse.Namespace:
    """The trainer's arguments at their defaults (what a run with only ``--out`` would use)."""
    module = importlib.import_module(module_name)
    return cli.parse_args(module.__doc__, module.add_arguments, ["--out", str(out)], module_name, **module.DEFAULTS)


def recognise_trainer(saved: dict[str, Any], run_dir: Path) -> str:
    """The trainer module of a run: from its finished model's training.json, else the GAN trainer whose argument
    names are closest to the checkpoint's (each has its own: --clip for WGAN, --epsilon for OT-GAN, …)."""
    info = read_training(run_dir / "model") or {}
    words = shlex.split(info.get("command", ""))
    if "-m" in words and words[words.index("-m") + 1] in GAN_TRAINERS:
        return words[words.index("-m") + 1]

    def distance(module_name: str) -> int:
        return len(set(run_arguments(trainer_arguments(module_name, run_dir))) ^ set(saved))

    best = min(GAN_TRAINERS, key=distance)
    if distance(best) > 3:  # a few arguments added since the run started are fine; a classifier or CycleGAN is not
        raise RunError(f"{run_dir} does not look like a GAN run ({', '.join(GAN_TRAINERS)}); pass --trainer.")
    return best


def export_discriminator(run_dir: Path, model_dir: Path | None = None, trainer: str | None = None) -> Path:
    """Write ``model_dir/discriminator/`` (default ``run_dir/model``) from ``run_dir/checkpoint.pt``; its path."""
    path = run_dir / CHECKPOINT
    if not path.is_file():
        raise RunError(f"no {CHECKPOINT} in {run_dir}: is it a training run's --out folder?")
    ckpt = read_checkpoint(path)
    saved = ckpt.get("arguments")
    if not saved:
        raise RunError(f"{path} predates recorded arguments; the discriminator cannot be rebuilt from it.")
    module_name = trainer or recognise_trainer(saved, run_dir)
    args = trainer_arguments(module_name, run_dir)
    for key, value in saved.items():
        if hasattr(args, key):
            setattr(args, key, Path(value) if key in ("out", "data_dir") and value is not None else value)
    try:
        recipe = importlib.import_module(module_name).build(args, Runtime(torch.device("cpu")))
    except DataError as err:
        raise RunError(f"{err} (the recipe is rebuilt as the run built it, which reads the training data)") from err
    if not recipe.discriminator:
        raise RunError(f"{module_name}'s recipe names no discriminator to export.")
    net = recipe.nets[recipe.discriminator]
    try:
        net.load_state_dict(ckpt["nets"][recipe.discriminator])
    except (KeyError, RuntimeError) as err:
        reason = str(err).splitlines()[0]
        raise RunError(f"{path} does not hold {module_name}'s {recipe.discriminator} ({reason}).") from err
    model_dir = model_dir or run_dir / "model"
    generator_steps = (read_training(model_dir) or {}).get("steps")
    if generator_steps is not None and generator_steps != ckpt["step"]:
        print(
            f"warning: the checkpoint is at step {ckpt['step']} but {model_dir} records {generator_steps} steps: "
            "the discriminator is not the one its generator was last trained against.",
            file=sys.stderr,
        )
    try:
        return save_discriminator(net, model_dir)
    except OSError as err:
        raise RunError(f"cannot write {model_dir / 'discriminator'}: {err.strerror or err}") from None


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        prog="python -m train.export_discriminator",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
    )
    parser.add_argument("run_dir", type=Path, help="the run's --out folder (holds checkpoint.pt)")
    parser.add_argument(
        "--model-dir", type=Path, default=None, help="the generator folder to write discriminator/ into (RUN_DIR/model)"
    )
    parser.add_argument("--trainer", choices=GAN_TRAINERS, default=None, help="the run's trainer (default: recognised)")
    args = parser.parse_args(argv)
    try:
        folder = export_discriminator(args.run_dir, args.model_dir, args.trainer)
    except RunError as err:
        print(f"error: {err}", file=sys.stderr)
        raise
    print(f"Exported {folder}", file=sys.stderr)
    return folder


if __name__ == "__main__":
    main()
