"""Images per second of every trainer at its default batch size, per precision and compilation:
``python benchmarks/train_throughput.py [--variants fp32 bf16 bf16+compile fp32+channels_last] [--threads N]
[--device auto|cpu|cuda] [--batch-size N]``.

Runs each entry point for a few steps in a temporary folder and prints the median of the images/s figures its
metrics log reports, leaving out the first window (warm-up, and the one-off compile under ``--compile``).
Images counted are real images drawn per step (WGAN draws n_critic batches per generator step, 100 in its
first 25 steps; OT-GAN two; CycleGAN one per domain). Prints a Markdown table, a column per variant.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import tempfile
from pathlib import Path

import torch

from train.cli import positive_int
from train.loop import RunError, bf16_is_native, device_type

TRAINERS = {
    "basic": [],
    "dcgan": [],
    "wgan": [],
    "otgan": [],
    "cyclegan": [],
    "classifier": ["--domain", "mnist"],
}


VARIANTS = {
    "fp32": ["--precision", "fp32"],
    "bf16": ["--precision", "bf16"],
    "fp32+compile": ["--precision", "fp32", "--compile"],
    "bf16+compile": ["--precision", "bf16", "--compile"],
    "fp32+channels_last": ["--precision", "fp32", "--channels-last"],
    "bf16+channels_last": ["--precision", "bf16", "--channels-last"],
}


def measure(
    name: str, steps: int, threads: int | None, variant: str, device: str = "auto", batch_size: int | None = None
) -> tuple[int, float]:
    module = importlib.import_module(f"train.{name}")
    batch = batch_size or module.DEFAULTS["batch_size"]
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["--out", tmp, "--steps", str(steps), "--log-every", "5", "--sample-every", str(10**6), *TRAINERS[name]]
        argv += ["--device", device, "--batch-size", str(batch), *VARIANTS[variant]]
        if threads:
            argv += ["--threads", str(threads)]
        module.cli(argv)
        rates = [json.loads(line)["images_per_s"] for line in (Path(tmp) / "metrics.jsonl").read_text().splitlines()]
    return batch, statistics.median(rates[1:] or rates)  # the first window includes warm-up


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=positive_int, default=30, help="steps per trainer")
    parser.add_argument("--threads", type=positive_int, default=None, help="torch CPU threads (default: all cores)")
    parser.add_argument("--only", nargs="*", default=list(TRAINERS), choices=list(TRAINERS), help="trainers to measure")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS), help="what to run")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="as the trainers' --device")
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="one batch size for every trainer (default: each one's own)",
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        device = device_type(args.device)
    except RunError as err:
        parser.error(str(err))
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    native = "native" if bf16_is_native(device) else "emulated: auto picks fp32"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {name}, bf16 {native}\n")
    print("| trainer | batch | " + " | ".join(f"{v} images/s" for v in args.variants) + " |")
    print("|---|---|" + "---|" * len(args.variants))
    for trainer in args.only:
        rates = [measure(trainer, args.steps, args.threads, v, device, args.batch_size) for v in args.variants]
        print(f"| {trainer} | {rates[0][0]} | " + " | ".join(f"{r:.0f}" for _, r in rates) + " |", flush=True)


if __name__ == "__main__":
    main()
