"""Measure the zoo: ``python -m zoo.evaluate [NAMES…] [--samples N] [--json PATH]``.

Loads models by name (``weights/<name>``) or folder path, computes the metrics of ``zoo.metrics`` with fixed
seeds, prints Markdown tables with reference rows from real data beside the models, and writes each model's
figures to ``<folder>/metrics.json`` (and refreshes its model card). Needs the two shipped classifiers.

The domain-adaptation probe lives here too: it trains a fresh classifier per translator, which makes it an
experiment the evaluator runs rather than a formula of ``zoo.metrics``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from . import card, metrics
from .catalog import READERS, Objective, kind
from .data import DataError, load_mnist, load_usps, random_affine
from .folder import list_models, load_model, read_metrics, read_training, resolve, samples, write_metrics
from .models import CycleGAN, DigitClassifier, Generator, ModelLoadError
from .models.base import check_truncation
from .report import provenance_table, read_by, reference_applies, report

MNIST_TRAIN = 60_000  # training digits: the most samples a generator's Fréchet reference can match
MAX_ADAPTATION_STEPS = 20_000  # twenty times the protocol's 1,000: minutes, never hours


class Evaluator:
    """Holds the data and the two classifiers once, so every model is measured against the same things (USPS and
    its classifier from the first model that needs them)."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        samples: int = 10_000,
        seed: int = 0,
        adaptation_steps: int = 1000,
        adaptation_images: int = 20_000,
        classifier_mnist: str | Path = READERS["mnist"],
        classifier_usps: str | Path = READERS["usps"],
        truncation: float | None = None,
    ):
        self.samples, self.seed, self.truncation = samples, seed, truncation
        self.adaptation_steps, self.adaptation_images = adaptation_steps, adaptation_images
        self.data_dir, self.classifier_usps = data_dir, classifier_usps
        self.mnist_train, self.mnist_train_y = load_mnist("train", data_dir)
        self.mnist_test, self.mnist_test_y = load_mnist("test", data_dir)
        self.clf_mnist = _classifier(classifier_mnist)
        self.foreign_readers = foreign_readers(classifier_mnist, classifier_usps)
        self._mnist_test_features: torch.Tensor | None = None

    # USPS and its reader are loaded on first use: measuring a generator needs neither, so it runs without USPS
    @cached_property
    def usps_train(self) -> tuple[torch.Tensor, torch.Tensor]:
        return load_usps("train", self.data_dir)

    @cached_property
    def usps_test(self) -> tuple[torch.Tensor, torch.Tensor]:
        return load_usps("test", self.data_dir)

    @cached_property
    def clf_usps(self) -> DigitClassifier:
        return _classifier(self.classifier_usps)

    def prepare(self, models: Iterable[torch.nn.Module]) -> None:
        """Load up front whatever measuring these models needs, so that a missing dataset or reader stops the run
        before any model is measured (main turns its DataError or ModelLoadError into one line)."""
        if any(isinstance(m, CycleGAN) or getattr(m, "domain", None) == "usps" for m in models):
            _ = self.usps_train, self.usps_test, self.clf_usps

    @property
    def mnist_test_features(self) -> torch.Tensor:
        if self._mnist_test_features is None:
            self._mnist_test_features = metrics.features(self.clf_mnist, self.mnist_test)
        return self._mnist_test_features

    # --- per kind of model ---

    def classifier(self, model: DigitClassifier) -> dict[str, Any]:
        x, y = (self.mnist_test, self.mnist_test_y) if model.domain == "mnist" else self.usps_test
        return {"kind": "classifier", "domain": model.domain, "test_accuracy": metrics.accuracy(model, x, y)}

    def generator(self, model: Generator) -> dict[str, Any]:
        images = torch.cat(
            [
                model.sample(min(1000, self.samples - i), seed=self.seed * 100_000 + i, truncation=self.truncation)
                for i in range(0, self.samples, 1000)
            ]
        )
        sampling = {} if self.truncation is None else {"truncation": self.truncation}
        if "mnist" in self.foreign_readers:
            sampling["reader"] = self.foreign_readers["mnist"]
        return {"kind": "generator", "samples": self.samples, **sampling, **self._sample_set(images)}

    def _sample_set(self, images: torch.Tensor) -> dict[str, Any]:
        return metrics.sample_set_metrics(
            images, self.clf_mnist, self.mnist_test_features, self.mnist_train, self.mnist_test
        )

    def translator(self, model: CycleGAN) -> dict[str, Any]:
        g, f = model.mnist_to_usps, model.usps_to_mnist
        usps_test, usps_test_y = self.usps_test
        g_test, f_test = metrics.translate(g, self.mnist_test), metrics.translate(f, usps_test)
        to_usps = metrics.confusion(self.clf_usps, g_test, self.mnist_test_y)
        to_mnist = metrics.confusion(self.clf_mnist, f_test, usps_test_y)
        n = self.adaptation_images
        objective = Objective.of(model)
        return {
            "kind": "translator",
            "lambda_cycle": model.lambda_cycle,
            "lambda_identity": objective.lambda_identity,
            "semantic_weight": objective.semantic_weight,
            "label_preservation_mnist_to_usps": metrics.share_kept(to_usps),
            "label_preservation_usps_to_mnist": metrics.share_kept(to_mnist),
            **self._adaptation(lambda: metrics.translate(g, self.mnist_train[:n]), self.mnist_train_y[:n]),
            "cycle_l1_mnist": metrics.cycle_error(self.mnist_test, metrics.translate(f, g_test)),
            "cycle_l1_usps": metrics.cycle_error(usps_test, metrics.translate(g, f_test)),
            "frechet_distance_to_usps": self._frechet_usps(g_test),
            "adaptation_steps": self.adaptation_steps,
            "adaptation_images": n,
            "confusion_mnist_to_usps": to_usps.tolist(),
            "confusion_usps_to_mnist": to_mnist.tolist(),
            **({"readers": self.foreign_readers} if self.foreign_readers else {}),
        }

    def _adaptation(self, images: Callable[[], torch.Tensor], y: torch.Tensor) -> dict[str, Any]:
        """The protocol's accuracy on USPS test (None when switched off: --adaptation-steps 0) and its confusion
        matrix there, USPS class × class read, which says which USPS digits a translator's images fail to teach
        (for the shipped semantic translator, the S-shaped USPS 5s)."""
        if self.adaptation_steps == 0:
            return {"adaptation_accuracy": None}
        clf = train_classifier(images(), y, steps=self.adaptation_steps, seed=self.seed)
        counts = metrics.confusion(clf, *self.usps_test)  # one pass; the accuracy is its diagonal
        return {"adaptation_accuracy": metrics.share_kept(counts), "adaptation_confusion": counts.tolist()}

    def _frechet_usps(self, images: torch.Tensor) -> float:
        return metrics.frechet_distance(
            metrics.features(self.clf_usps, images), metrics.features(self.clf_usps, self.usps_test[0])
        )

    # --- reference rows from real data ---

    def generator_reference(self) -> dict[str, Any]:
        """Real MNIST read as if generated: the test images for IS, coverage and memorisation (held-out digits
        against other held-out digits: what a non-copying generator should show), and as many training images as
        a generator gives samples for the Fréchet distance to the test set."""
        half = min(1000, len(self.mnist_test) // 2)
        return {
            "kind": "reference",
            **metrics.sample_set_metrics(
                self.mnist_test,
                self.clf_mnist,
                self.mnist_test_features,
                self.mnist_train,
                self.mnist_test[half:],
                memorisation_n=half,
                frechet_features=metrics.features(self.clf_mnist, self.mnist_train[: self.samples]),
            ),
        }

    def translator_references(self) -> dict[str, dict[str, Any]]:
        n = self.adaptation_images
        return {
            "no translation (MNIST as is)": {
                "kind": "reference",
                "label_preservation_mnist_to_usps": metrics.accuracy(self.clf_usps, self.mnist_test, self.mnist_test_y),
                "label_preservation_usps_to_mnist": metrics.accuracy(self.clf_mnist, *self.usps_test),
                **self._adaptation(lambda: self.mnist_train[:n], self.mnist_train_y[:n]),
                "cycle_l1_mnist": 0.0,
                "cycle_l1_usps": 0.0,
                "frechet_distance_to_usps": self._frechet_usps(self.mnist_test),
            },
            "USPS train (target oracle)": {
                "kind": "reference",
                **self._adaptation(lambda: self.usps_train[0], self.usps_train[1]),
                "frechet_distance_to_usps": self._frechet_usps(self.usps_train[0]),
            },
        }

    def evaluate(self, model: torch.nn.Module) -> dict[str, Any]:
        torch.manual_seed(self.seed)
        if isinstance(model, DigitClassifier):
            return self.classifier(model)
        if isinstance(model, CycleGAN):
            return self.translator(model)
        if isinstance(model, Generator):
            return self.generator(model)
        raise TypeError(f"Don't know how to evaluate {type(model).__name__}")


def train_classifier(
    x: torch.Tensor, y: torch.Tensor, steps: int = 1000, batch_size: int = 64, seed: int = 0, width: int = 16
) -> nn.Module:
    """A fresh small classifier fitted on (x, y): the domain-adaptation protocol's probe.

    Deliberately fixed (architecture, steps, augmentation, seed) so that only the training images differ
    between the rows it is used for: source only, translated source, and target (the oracle).
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = DigitClassifier(width=width)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    model.train()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for _ in range(steps):
            idx = torch.randint(len(x), (batch_size,), generator=gen)
            loss = F.cross_entropy(model(random_affine(x[idx], generator=gen)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


def adaptation_accuracy(
    train_x: torch.Tensor, train_y: torch.Tensor, test_x: torch.Tensor, test_y: torch.Tensor, steps: int = 1000
) -> float:
    """Accuracy on (test_x, test_y) of a classifier trained on (train_x, train_y) only."""
    return metrics.accuracy(train_classifier(train_x, train_y, steps=steps), test_x, test_y)


def foreign_readers(classifier_mnist: str | Path, classifier_usps: str | Path) -> dict[str, str]:
    """The classifiers given in place of the evaluator's own (``catalog.READERS``), by domain, as folder names.

    The zoo's figures are defined by its own readers: read by another classifier, the same samples score
    differently (two more MNIST classifiers of this repo read the shipped generators' Inception Scores 0.1–0.3
    lower), so such figures are printed apart and written nowhere, like truncated sampling's."""
    given = {"mnist": Path(classifier_mnist).name, "usps": Path(classifier_usps).name}
    return {domain: name for domain, name in given.items() if name != READERS[domain]}


def _classifier(name_or_path: str | Path) -> DigitClassifier:
    try:
        model = load_model(resolve(name_or_path))
    except ModelLoadError as err:
        raise ModelLoadError(
            f"the evaluator needs the classifier {name_or_path!r}: {err} "
            "Train it with: python -m train.classifier --domain mnist|usps --out runs/classifier-… "
            "and copy runs/…/model to weights/classifier-mnist|usps."
        ) from err
    if not isinstance(model, DigitClassifier):
        raise ModelLoadError(f"{name_or_path} is a {type(model).__name__}, not a DigitClassifier.")
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zoo.evaluate",
        description=__doc__.split("\n\n")[1],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("names", nargs="*", help="model names under weights/ or folder paths (default: all)")
    parser.add_argument(
        "--samples",
        type=_int_in(100, MNIST_TRAIN),
        default=10_000,
        help=f"generated samples per generator (100 to {MNIST_TRAIN:,}: the Fréchet reference takes as many real "
        "training digits)",
    )
    parser.add_argument(
        "--seed", type=_int_in(0, 2**31 - 1), default=0, help="seed of the samples and of the adaptation probe"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    parser.add_argument("--data-dir", type=Path, default=None, help="data root (see zoo.data)")
    parser.add_argument(
        "--adaptation-steps",
        type=_int_in(0, MAX_ADAPTATION_STEPS),
        default=1000,
        help="training steps of the adaptation probe (0: skip the protocol)",
    )
    parser.add_argument(
        "--adaptation-images",
        type=_int_in(1, MNIST_TRAIN),
        default=20_000,
        help="translated MNIST images it trains on",
    )
    parser.add_argument("--no-write", action="store_true", help="do not write metrics.json into model folders")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite this README's results section")
    parser.add_argument(
        "--recorded",
        action="store_true",
        help="with --readme: rewrite it from each model's metrics.json, as an earlier run of this command wrote it "
        "(nothing is measured; a model without one is an error)",
    )
    parser.add_argument(
        "--truncation",
        type=_truncation,
        default=None,
        metavar="T",
        help="sample the generators' latents from N(0, I) truncated to [-T, T] (BigGAN's truncation trick): a way of "
        "sampling, not the models' figures, so only printed (or --json), never written into folders or a README",
    )
    parser.add_argument(
        "--classifier-mnist",
        default=READERS["mnist"],
        help="MNIST classifier name or folder; figures read by another than classifier-mnist are only printed",
    )
    parser.add_argument(
        "--classifier-usps",
        default=READERS["usps"],
        help="USPS classifier name or folder; figures read by another than classifier-usps are only printed",
    )
    args = parser.parse_args(argv)
    names = args.names or [n for n in list_models() if args.truncation is None or kind(n) == "generator"]
    if not names:
        parser.error("no models given and none found under weights/")
    if args.truncation is not None and (args.readme or args.recorded):
        parser.error("--truncation figures are not the models' own: they never go into a README")
    foreign = foreign_readers(args.classifier_mnist, args.classifier_usps)
    if foreign and (args.readme or args.recorded):
        parser.error(f"figures {read_by(foreign.items())} are not the models' own: they never go into a README")
    for problem in (_readme_problem(args.readme), _output_problem("--json", args.json)):
        if problem:
            parser.error(problem)
    if args.recorded:
        if not args.readme:
            parser.error("--recorded rewrites a README: give --readme")
        return readme_from_recorded(args.readme, names)
    t0 = time.time()
    try:
        ev = Evaluator(
            args.data_dir,
            args.samples,
            args.seed,
            args.adaptation_steps,
            args.adaptation_images,
            args.classifier_mnist,
            args.classifier_usps,
            args.truncation,
        )
        folders = named_folders(names)
        models = {name: load_model(folder) for name, folder in folders.items()}
        others = [name for name, model in models.items() if not isinstance(model, Generator)]
        if args.truncation is not None and others:
            print(f"error: --truncation samples generators; {', '.join(others)} is not one", file=sys.stderr)
            return 2
        ev.prepare(models.values())
    except (DataError, ModelLoadError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    results: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        t = time.time()
        results[name] = ev.evaluate(model)
        print(f"evaluated {name} in {time.time() - t:.1f} s", file=sys.stderr)
    references: dict[str, dict[str, Any]] = {}
    kinds = {m["kind"] for m in results.values()}
    if "generator" in kinds:
        references["MNIST (real data)"] = ev.generator_reference()
    if "translator" in kinds:
        references.update(ev.translator_references())
    stamp = {"seed": args.seed, "evaluated": dt.date.today().isoformat(), "evaluator": "python -m zoo.evaluate"}
    if foreign and not args.no_write:
        print(
            f"note: {read_by(foreign.items())}: figures printed (and --json), not written into model folders",
            file=sys.stderr,
        )
    if not args.no_write and args.truncation is None and not foreign:
        for name, m in results.items():
            refs = {k: v for k, v in references.items() if reference_applies(v, m["kind"])}
            write_metrics(folders[name], {**stamp, "metrics": m, "reference": refs})
            card.write_card(folders[name])
    print(report(results, references))
    try:  # checked before measuring; this catches what changed since (a disk that filled, a folder removed)
        if args.json:
            args.json.write_text(json.dumps({**stamp, "models": results, "reference": references}, indent=2) + "\n")
        if args.readme:
            update_readme(args.readme, results, references, folders)
    except OSError as err:
        print(
            f"error: could not write {err.filename}: {err.strerror or err} (the figures are printed above)",
            file=sys.stderr,
        )
        return 1
    models_evaluated = f"{len(results)} model{'' if len(results) == 1 else 's'} evaluated"
    print(f"\n({models_evaluated} in {time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


def _readme_problem(readme: Path | None) -> str | None:
    """Why --readme cannot be rewritten, found before anything is measured (None when it can, or is not given)."""
    if readme is None:
        return None
    problem = _output_problem("--readme", readme)
    if problem:
        return problem
    try:
        text = readme.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"--readme {readme}: no such file (it rewrites the results section of an existing README)"
    except (OSError, UnicodeDecodeError) as err:
        return f"--readme {readme}: cannot be read ({getattr(err, 'strerror', None) or err})"
    if README_START not in text or README_END not in text:
        return f"--readme {readme} has no {README_START} … {README_END} section to rewrite"
    return None


def _output_problem(flag: str, path: Path | None) -> str | None:
    """Why a file the evaluator writes at the end cannot be written, found before minutes of measuring."""
    if path is None:
        return None
    if path.is_dir():
        return f"{flag} {path} is a folder, not a file"
    folder = path.absolute().parent
    if not folder.is_dir():
        return f"{flag} {path}: no folder {folder}"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{flag} {path} is not writable"
    return None


def _int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type for an integer in [low, high]: every count the evaluator takes is bounded, so no argument
    can ask for unbounded time or memory (outside the range: a usage error, exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer from {low:,} to {high:,}, got {value:,}")
        return value

    parse.__name__ = "int"  # argparse names the type in its messages
    return parse


def _truncation(text: str) -> float:
    """argparse type of --truncation: a positive, finite threshold (a usage error, exit 2, otherwise)."""
    try:
        return check_truncation(float(text))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def named_folders(names: list[str]) -> dict[str, Path]:
    """Each model's folder under the name its table row shows: a folder path's last component, else the name."""
    return {Path(n).name if Path(n).is_dir() else n: resolve(n) for n in names}


def readme_from_recorded(readme: Path, names: list[str]) -> int:
    """Rewrite ``readme``'s results from the figures each folder's metrics.json records (written by this command).

    For refreshing the README after a model is shipped or evaluated on its own, without measuring the whole zoo
    again. The reference rows are those of the most recent evaluation among the models."""
    folders = named_folders(names)
    recorded = {name: read_metrics(folder) for name, folder in folders.items()}
    missing = sorted(name for name, evaluation in recorded.items() if evaluation is None)
    if missing:
        print(
            f"error: no metrics.json in {', '.join(missing)}: measure them first (python -m zoo.evaluate NAME)",
            file=sys.stderr,
        )
        return 2
    references: dict[str, dict[str, Any]] = {}
    for evaluation in sorted(recorded.values(), key=lambda e: str(e.get("evaluated", ""))):
        references.update(evaluation.get("reference") or {})
    results = {name: evaluation["metrics"] for name, evaluation in recorded.items()}
    print(report(results, references))
    update_readme(
        readme, results, references, folders, dates=sorted({str(e.get("evaluated")) for e in recorded.values()})
    )
    return 0


README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"
SWEEP_CHART = "docs/lambda-sweep.svg"  # beside the README


def update_readme(
    path: Path,
    results: dict[str, dict[str, Any]],
    references: dict[str, dict[str, Any]],
    folders: dict[str, Path],
    dates: list[str] | None = None,
) -> None:
    """Replace the README's results section: the tables just measured, the λ-sweep chart, each model's sample grid
    and the command that made it."""
    text = path.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise SystemExit(f"error: {path} has no {README_START} … {README_END} section to rewrite")
    root = path.resolve().parent
    grids, trainings = [], {}
    for name in results:
        training, grid = read_training(folders[name]), samples(folders[name])
        if training:
            trainings[name] = training
        if grid and grid.resolve().is_relative_to(root):
            rel = grid.resolve().relative_to(root)
            grids.append(f'<img src="{rel.as_posix()}" width="180" alt="{name}" title="{name}">')
    if dates:
        stamp = (
            f"_Figures measured by `python -m zoo.evaluate` on {', '.join(dates)}, as each model's `metrics.json` "
            f"records them; `python -m zoo.evaluate --readme {path.name}` measures them all again._"
        )
    else:
        stamp = (
            f"_Generated by `python -m zoo.evaluate --readme {path.name}` on {dt.date.today().isoformat()}; "
            "rerun it to refresh._"
        )
    sections = [
        stamp,
        report(results, references),
    ]
    sweep = [m for m in results.values() if m["kind"] == "translator" and Objective.of(m).in_sweep]
    if len(sweep) > 1:
        from .plots import lambda_sweep_svg  # plotly, needed only to redraw the README's chart

        chart = root / SWEEP_CHART
        chart.parent.mkdir(parents=True, exist_ok=True)
        chart.write_text(lambda_sweep_svg(sweep), encoding="utf-8")
        sections.append(f"The λ sweep (same seed, steps and settings; only λ differs):\n\n![λ sweep]({SWEEP_CHART})")
    if grids:
        sections.append(
            "Sample grids (fixed seeds; CycleGAN rows: MNIST, G(MNIST), F(G(MNIST)), USPS, F(USPS), G(F(USPS))):"
            "\n\n" + " ".join(grids)
        )
    if trainings:
        sections.append("### How each model was made\n\n" + provenance_table(trainings))
    body = README_START + "\n" + "\n\n".join(sections) + "\n" + README_END
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    path.write_text(text[:start] + body + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
