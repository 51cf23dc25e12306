"""Train the digit classifier of one domain: the instrument behind every metric of the zoo.

Cross-entropy with Adam, a cosine learning-rate schedule and small random affine augmentation; the official
test set's accuracy is printed at the end and recorded with the exported model.

    python -m train.classifier --domain mnist --out runs/classifier-mnist
    python -m train.classifier --domain usps --out runs/classifier-usps
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch
import torch.nn.functional as F

from train.cli import main, positive_float, positive_int
from train.common import mnist_train, usps_train
from train.loop import Draw, Recipe, Runtime
from zoo.data import load_mnist, load_usps, random_affine
from zoo.metrics import accuracy
from zoo.models import DigitClassifier


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("model")
    g.add_argument("--domain", choices=["mnist", "usps"], required=True, help="which digits to classify")
    g.add_argument("--lr", type=positive_float, default=2e-3, help="peak learning rate (cosine decay to 0)")
    g.add_argument("--weight-decay", type=float, default=1e-4, help="AdamW weight decay")
    g.add_argument("--no-augment", dest="augment", action="store_false", help="train without random affine")
    g.add_argument(
        "--width",
        type=positive_int,
        default=32,
        help="channels of the first conv block (a second, independent "
        "classifier for a training loss uses another width and seed than the evaluator's)",
    )


def build(args: argparse.Namespace, rt: Runtime) -> Recipe:
    images, labels = mnist_train(args) if args.domain == "mnist" else usps_train(args)
    model = DigitClassifier(domain=args.domain, width=args.width).to(rt.device)
    model_train = rt.wrap(model)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    warmup = min(200, args.steps // 10 + 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, args.steps) / args.steps))
    )

    def step(i: int, draw: Draw) -> dict[str, float]:
        ((x, y),) = draw()
        if args.augment:
            x = random_affine(x)
        opt.zero_grad(set_to_none=True)
        with rt.autocast():
            logits = model_train(x)
            loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        return {"loss": loss.item(), "train_accuracy": (logits.argmax(1) == y).float().mean().item()}

    def finish(final: DigitClassifier) -> dict[str, float]:
        load = load_mnist if args.domain == "mnist" else load_usps
        x_test, y_test = load("test", args.data_dir)
        return {"test_accuracy": accuracy(final, x_test, y_test)}

    return Recipe(
        nets={"classifier": model},
        optimizers={"classifier": opt},
        schedulers={"lr": schedule},
        step=step,
        export_net="classifier",
        datasets=[(images, labels)],
        finish=finish,
    )


DEFAULTS = {"steps": 6000, "batch_size": 128}


def cli(argv: list[str] | None = None) -> Path:
    """``python -m train.classifier``; returns the exported model folder."""
    return main(__doc__, add_arguments, build, argv, module=__spec__.name, **DEFAULTS)


if __name__ == "__main__":
    cli()
