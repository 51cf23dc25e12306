"""Command-line plumbing every trainer shares: the common arguments, validated types, and ``main``.

A trainer module supplies ``add_arguments(parser)`` (its model's flags), ``build(args, rt)`` (its Recipe: the
networks and the whole training step) and ``DEFAULTS``; ``main`` parses and hands over to the loop.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from train.loop import NonFiniteLossError, Recipe, RunError, Runtime, run


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the module docstring's layout and shows each default once: a help text that already says its
    default (``(default: all)``) is left alone, and ``None`` or a flag's ``False`` is never shown."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            "(default:" in text
            or action.default is None
            or action.default is False
            or action.default == argparse.SUPPRESS
        ):
            return text
        return super()._get_help_string(action)


def base_parser(description: str, prog: str | None = None, **defaults: Any) -> argparse.ArgumentParser:
    """Arguments every trainer has; ``defaults`` sets each model's own defaults (batch size, steps, ...)."""
    parser = argparse.ArgumentParser(prog=prog, description=description, formatter_class=HelpFormatter)
    g = parser.add_argument_group("run")
    g.add_argument("--out", type=Path, required=True, help="run directory: checkpoints, samples, logs, model/")
    g.add_argument("--steps", type=positive_int, default=2000, help="training iterations")
    g.add_argument("--batch-size", type=positive_int, default=64, help="images per batch and process")
    g.add_argument(
        "--seed",
        type=_checked(int, lambda v: 0 <= v < 2**31, "an integer in [0, 2^31)"),
        default=0,
        help="seeds weights, data order and noise",
    )
    g.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="auto picks cuda if present")
    g.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    g.add_argument(
        "--export-only",
        action="store_true",
        help="write OUT/model from OUT/checkpoint.pt as it stands (its step, its EMA) and stop, without training: "
        "a look at a run in progress (safe while it trains) or one stopped early; takes the run's own arguments",
    )
    g.add_argument(
        "--init-from",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="start from an exported model folder's weights (e.g. weights/dcgan: the model and, for a GAN, its "
        "discriminator/) instead of a fresh initialisation, with fresh optimisers: fine-tuning a shipped model",
    )
    g.add_argument("--sample-every", type=positive_int, default=500, help="steps between sample grids")
    g.add_argument("--log-every", type=positive_int, default=25, help="steps between metrics-log lines")
    g.add_argument("--ckpt-every", type=positive_int, default=500, help="steps between checkpoints")
    g.add_argument("--threads", type=positive_int, default=None, help="CPU threads for torch (default: all)")
    g.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16"],
        default="fp32",
        help="bf16: forward passes under bfloat16 autocast (weights, optimisers and losses stay fp32); auto: bf16 "
        "where the CPU or GPU computes it natively, else fp32 (a resume keeps the run's own)",
    )
    g.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the networks being updated (a one-off compile of ~20-60 s, then faster steps)",
    )
    g.add_argument(
        "--channels-last",
        action="store_true",
        help="convolutional networks in the NHWC memory layout that oneDNN and cuDNN convolutions prefer (the same "
        "arithmetic; exported weights in the standard layout)",
    )
    g = parser.add_argument_group("data")
    g.add_argument(
        "--data-dir", type=Path, default=None, help="data root (default: $GAN_ZOO_DATA, ./data, ../shared/data)"
    )
    g.add_argument("--download", action="store_true", help="fetch missing datasets with torchvision")
    g.add_argument("--limit", type=positive_int, default=None, help="use only the first N training images (tests)")
    parser.set_defaults(**defaults)
    return parser


def _checked(convert: Callable[[str], Any], ok: Callable[[Any], bool], what: str) -> Callable[[str], Any]:
    """An argparse type that converts and validates, with a message that says what was expected."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value

    parse.__name__ = convert.__name__  # argparse names the type in its messages
    return parse


positive_int = _checked(int, lambda v: v > 0, "a positive integer")
nonnegative_int = _checked(int, lambda v: v >= 0, "an integer >= 0")
positive_float = _checked(float, lambda v: v > 0 and math.isfinite(v), "a positive number")
nonnegative_float = _checked(float, lambda v: v >= 0 and math.isfinite(v), "a number >= 0")
unit_float = _checked(float, lambda v: 0 <= v < 1, "a number in [0, 1)")
fraction = _checked(float, lambda v: 0 <= v <= 1, "a fraction in [0, 1]")
positive_fraction = _checked(float, lambda v: 0 < v <= 1, "a fraction in (0, 1]")


def add_gan_arguments(
    parser: argparse.ArgumentParser, lr: float, ema: float, beta1: float | None = 0.5
) -> argparse._ArgumentGroup:
    """The arguments every unconditional GAN has, in a 'model' group that the caller extends with its own.

    ``--lr`` is the generator's learning rate and, unless ``--lr-d`` is given, the discriminator's (two
    time-scale updates, Heusel et al. 2017, give them different ones). ``beta1=None`` leaves out Adam's β1
    (WGAN uses RMSProp).
    """
    g = parser.add_argument_group("model")
    g.add_argument("--latent-dim", type=positive_int, default=100, help="size of z")
    g.add_argument("--lr", type=positive_float, default=lr, help="generator learning rate (and D's, see --lr-d)")
    g.add_argument(
        "--lr-d",
        type=positive_float,
        default=None,
        help="discriminator/critic learning rate (unset: the same as --lr)",
    )
    g.add_argument(
        "--lr-decay-from",
        type=fraction,
        default=1.0,
        help="both learning rates decay linearly to 0 from this fraction of --steps on (1 = constant)",
    )
    if beta1 is not None:
        g.add_argument("--beta1", type=unit_float, default=beta1, help="Adam β1")
    g.add_argument("--ema", type=unit_float, default=ema, help="generator weight EMA decay (0 = off)")
    return g


def add_top_k_arguments(group: argparse._ArgumentGroup) -> None:
    """Top-k training (Sinha et al. 2020) for a GAN whose generator loss is a mean over its samples' scores.

    Off by default (a decay of 1 keeps the whole batch), so a run that predates the flags resumes as it ran.
    """
    group.add_argument(
        "--top-k-decay",
        type=positive_fraction,
        default=1.0,
        help="top-k training: G learns only from the fraction of its batch that D scores as most real; that "
        "fraction starts at 1 and is multiplied by this every epoch (the paper's γ, 0.99); 1 = the whole batch",
    )
    group.add_argument(
        "--top-k-min",
        type=positive_fraction,
        default=0.5,
        help="the fraction of the batch top-k training never goes below (the paper's ν)",
    )


def parse_args(
    description: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    argv: Sequence[str] | None = None,
    module: str | None = None,
    **defaults: Any,
) -> argparse.Namespace:
    """A trainer's arguments: the common ones, then the model's own (``add_arguments``)."""
    parser = base_parser(description, f"python -m {module}" if module else None, **defaults)
    add_arguments(parser)
    # what an argument added after a checkpoint was written stood for then: its own default, the behaviour from
    # before it existed, not the shipped recipe's value that ``defaults`` sets next (see check_resume)
    added_defaults = {a.dest: parser.get_default(a.dest) for a in parser._actions if a.dest != "help"}
    parser.set_defaults(**defaults)  # again: the model's own arguments (its schedule, say) are added after the base
    args = parser.parse_args(argv)
    args._module = module
    args._defaults = added_defaults
    return args


def main(
    description: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    build: Callable[[argparse.Namespace, Runtime], Recipe],
    argv: Sequence[str] | None = None,
    module: str | None = None,
    **defaults: Any,
) -> Path:
    """Parse arguments and train to the end; the entry point of every ``python -m train.<model>``."""
    args = parse_args(description, add_arguments, argv, module, **defaults)
    try:
        return run(args, build, argv)
    except NonFiniteLossError as err:
        print(f"error: {err}", file=sys.stderr)
        raise RunError(str(err), code=1) from err
    except RunError as err:
        print(f"error: {err}", file=sys.stderr)
        raise
