"""Images per second of every trainer at its default batch size, per precision and compilation:
``python benchmarks/train_throughput.py [--variants fp32 bf16 bf16+compile fp32+channels_last] [--threads N]``.

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

from train.loop import bf16_is_native

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


def measure(name: str, steps: int, threads: int | None, variant: str) -> tuple[int, float]:
    module = importlib.import_module(f"train.{name}")
    batch = module.DEFAULTS["batch_size"]
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["--out", tmp, "--steps", str(steps), "--log-every", "5", "--sample-every", str(10**6), *TRAINERS[name]]
        argv += VARIANTS[variant]
        if threads:
            argv += ["--threads", str(threads)]
        module.cli(argv)
        rates = [json.loads(line)["images_per_s"] for line in (Path(tmp) / "metrics.jsonl").read_text().splitlines()]
    return batch, statistics.median(rates[1:] or rates)  # the first window includes warm-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="steps per trainer")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: all cores)")
    parser.add_argument("--only", nargs="*", default=list(TRAINERS), help="trainers to measure")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS), help="what to run")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    native = "native" if bf16_is_native("cpu") else "emulated: auto picks fp32"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device cpu, bf16 {native}\n")
    print("| trainer | batch | " + " | ".join(f"{v} images/s" for v in args.variants) + " |")
    print("|---|---|" + "---|" * len(args.variants))
    for name in args.only:
        rates = [measure(name, args.steps, args.threads, v) for v in args.variants]
        print(f"| {name} | {rates[0][0]} | " + " | ".join(f"{r:.0f}" for _, r in rates) + " |", flush=True)


if __name__ == "__main__":
    main()
