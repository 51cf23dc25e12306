"""Images per second of every trainer at its default batch size: ``python benchmarks/train_throughput.py``.

Runs each entry point for a few steps in a temporary folder (after a warm-up) and prints the median of the
images/s figures its metrics log reports. Images counted are real images drawn per step (WGAN draws n_critic
batches per generator step, 100 in its first 25 steps; OT-GAN two; CycleGAN one per domain). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

TRAINERS = {
    "basic": [],
    "dcgan": [],
    "wgan": [],
    "otgan": [],
    "cyclegan": [],
    "classifier": ["--domain", "mnist"],
}


def measure(name: str, steps: int, threads: int | None) -> tuple[int, float]:
    module = importlib.import_module(f"train.{name}")
    batch = module.DEFAULTS["batch_size"]
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["--out", tmp, "--steps", str(steps), "--log-every", "5", "--sample-every", str(10**6), *TRAINERS[name]]
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
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device cpu\n")
    print("| trainer | batch | images/s (median) |\n|---|---|---|")
    for name in args.only:
        batch, rate = measure(name, args.steps, args.threads)
        print(f"| {name} | {batch} | {rate:.0f} |", flush=True)


if __name__ == "__main__":
    main()
