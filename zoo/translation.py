"""Translating digits with CycleGANs and reading them: what the Draw and λ pages and the Gradio sketchpad show.

A translation is shown as a cycle: the source x, its translation, the translation at USPS's native 16×16, and
the reconstruction back in the source domain; each comes with the digit a classifier of its domain reads
(``zoo.catalog.READERS``). The λ view puts the same inputs through every CycleGAN: the λ sweep in order of λ,
then any translator trained with another objective (e.g. CyCADA's semantic loss) as a labelled row of its own,
and the trade-off between labels kept and cycle error, from the evaluator's records or measured live.
Each view is one function here, so that the front ends only lay out what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from PIL import Image

from . import images, metrics
from .catalog import Objective, default
from .data import to_16
from .folder import local, read_metrics
from .images import Label, to_pil
from .metrics import Reading, read_digits
from .models import CycleGAN, DigitClassifier

DIRECTIONS = ("mnist_to_usps", "usps_to_mnist")
DIGIT_SCALE, NATIVE_SCALE = 4, 7  # 28×28 shown at 112 pixels, 16×16 at 112 too
QUICK_IMAGES = 200  # MNIST test digits behind the live trade-off when some metrics.json files are missing
Readers = Mapping[str, DigitClassifier | None]  # domain → the classifier that reads it (None: not installed)


@dataclass(frozen=True)
class Cycle:
    """x → translated → reconstruction; ``usps_16`` is the USPS-side image at native resolution."""

    direction: str
    source: torch.Tensor
    translated: torch.Tensor
    reconstruction: torch.Tensor
    usps_16: torch.Tensor


@torch.inference_mode()
def cycle(model: CycleGAN, x: torch.Tensor, direction: str = "mnist_to_usps") -> Cycle:
    """Translate a batch (N×1×28×28) one way and back."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    there, back = (
        (model.mnist_to_usps, model.usps_to_mnist)
        if direction == "mnist_to_usps"
        else (model.usps_to_mnist, model.mnist_to_usps)
    )
    y = there(x)
    usps_side = y if direction == "mnist_to_usps" else x
    return Cycle(direction, x, y, back(y), to_16(usps_side))


# --- one digit, translated and read (the Draw page, the Gradio sketchpad) ------------------------------------


@dataclass(frozen=True)
class Panel:
    """One stage of a translated digit as shown: the image, its title, and what its domain's classifier reads."""

    image: torch.Tensor  # 1×1×H×W in [-1, 1]
    title: str  # the full caption, e.g. "G(x): USPS style (28×28)"
    label: str  # the short name, e.g. "G(x)"
    scale: int
    domain: str | None  # the classifier that reads it; None for the 16×16 view, which no classifier takes
    reading: Reading | None  # None when not read, or when that classifier is not installed

    @property
    def said(self) -> str:
        """ "MNIST classifier reads 7 (98 %)", or a note that the classifier is missing; "" for unread stages."""
        if self.domain is None:
            return ""
        who = f"{self.domain.upper()} classifier"
        return f"{who} reads {self.reading}" if self.reading else f"({who} not installed)"

    def picture(self) -> Image.Image:
        return to_pil(self.image[0], self.scale)


# (which tensor of the cycle, title, short label, scale, domain read) per direction
STAGES = {
    "mnist_to_usps": (
        ("source", "Input, MNIST style (28×28)", "input", DIGIT_SCALE, "mnist"),
        ("translated", "G(x): USPS style (28×28)", "G(x)", DIGIT_SCALE, "usps"),
        ("usps_16", "G(x) at USPS's native 16×16", "G(x) at 16×16", NATIVE_SCALE, None),
        ("reconstruction", "F(G(x)): cycle reconstruction", "F(G(x))", DIGIT_SCALE, "mnist"),
    ),
    "usps_to_mnist": (
        ("source", "Input, USPS (28×28)", "input", DIGIT_SCALE, "usps"),
        ("usps_16", "Input at USPS's native 16×16", "input at 16×16", NATIVE_SCALE, None),
        ("translated", "F(x): MNIST style", "F(x)", DIGIT_SCALE, "mnist"),
        ("reconstruction", "G(F(x)): cycle reconstruction", "G(F(x))", DIGIT_SCALE, "usps"),
    ),
}


def translate_and_read(
    model: CycleGAN, x: torch.Tensor, direction: str = "mnist_to_usps", readers: Readers | None = None
) -> list[Panel]:
    """One digit (1×1×28×28) there and back, as four panels, each read by its domain's classifier if installed."""
    result = cycle(model, x[:1], direction)
    readers = readers or {}
    panels = []
    for field, title, label, scale, domain in STAGES[direction]:
        image = getattr(result, field)
        reader = readers.get(domain) if domain else None
        reading = read_digits(reader, image)[0] if reader is not None else None
        panels.append(Panel(image, title, label, scale, domain, reading))
    return panels


@dataclass(frozen=True)
class TranslationView:
    """The four panels as the Draw page shows them (PNGs at display size), and one picture of all four to keep."""

    pictures: list[bytes]
    titles: list[str]
    labels: list[str]  # the short names: "input", "G(x)", …
    said: list[str]  # each panel's reading, "" for the unread 16×16 view
    sheet: bytes  # PNG: the four stages side by side, short titles above, readings below (the download)


def translation_view(
    model: CycleGAN, x: torch.Tensor, direction: str = "mnist_to_usps", readers: Readers | None = None
) -> TranslationView:
    """``translate_and_read``, rendered once: what the Draw page sends, and what its download button offers."""
    panels = translate_and_read(model, x, direction, readers)
    pictures = [p.picture() for p in panels]
    captions = [f"reads {p.reading.digit} ({100 * p.reading.confidence:.0f}%)" if p.reading else "" for p in panels]
    sheet = images.labelled_grid([pictures], [captions], column_titles=[_ascii(p.label) for p in panels])
    return TranslationView(
        [images.png_bytes(p) for p in pictures],
        [p.title for p in panels],
        [p.label for p in panels],
        [p.said for p in panels],
        images.png_bytes(sheet),
    )


def _ascii(text: str) -> str:
    """A label drawn into a picture: Pillow's bundled font has no ×."""
    return text.replace("×", "x")


# --- the same inputs through every CycleGAN (the λ page) -----------------------------------------------------


def display_order(models: Mapping[str, CycleGAN]) -> list[str]:
    """The λ sweep by λ, then translators with another objective (by λ, then name)."""
    objectives = {name: Objective.of(model) for name, model in models.items()}
    return sorted(models, key=lambda n: (not objectives[n].in_sweep, objectives[n].lambda_cycle, n))


@dataclass(frozen=True)
class Row:
    """One CycleGAN's translations of the inputs, and the USPS classifier's readings of G(x) against the labels."""

    name: str
    objective: Objective
    result: Cycle
    readings: list[Reading] | None
    labels: list[int] | None
    back: list[Reading] | None = None  # the MNIST classifier's readings of F(G(x))

    @property
    def verdict(self) -> str:
        """ "USPS classifier reads 7✓ 9✗: 1/2 kept; 2/2 back", or "" without readings or labels."""
        if not self.readings or not self.labels:
            return ""
        pairs = list(zip(self.readings, self.labels, strict=True))
        marks = " ".join(f"{r.digit}{'✓' if r.digit == d else '✗'}" for r, d in pairs)
        text = f"USPS classifier reads {marks}: {sum(r.digit == d for r, d in pairs)}/{len(pairs)} kept"
        if self.back:
            back = sum(r.digit == d for r, d in zip(self.back, self.labels, strict=True))
            text += f"; F(G(x)) reads as x's digit in {back}/{len(pairs)}"
        return text


@dataclass(frozen=True)
class Comparison:
    labels: list[int] | None  # the inputs' labels, or the MNIST classifier's readings of a drawing
    rows: list[Row]
    guessed: bool = False  # the labels are the MNIST classifier's guesses ("read as"), not the dataset's

    def captions(self) -> list[str]:
        """What stands under each input: "label 7", or "read as 7" for a classifier's guess."""
        return [f"{'read as' if self.guessed else 'label'} {d}" for d in self.labels or []]


def compare(
    models: Mapping[str, CycleGAN], x: torch.Tensor, labels: Sequence[int] | None = None, readers: Readers | None = None
) -> Comparison:
    """The same MNIST inputs through every CycleGAN (``display_order``), each G(x) read by the USPS classifier.

    Without labels (a drawing) the MNIST classifier's readings stand in for them.
    """
    readers = readers or {}
    mnist, usps = readers.get("mnist"), readers.get("usps")
    guessed = labels is None and mnist is not None
    if guessed:
        labels = [r.digit for r in read_digits(mnist, x)]
    labels = list(labels) if labels is not None else None
    rows = []
    for name in display_order(models):
        result = cycle(models[name], x)
        readings = read_digits(usps, result.translated) if usps is not None else None
        back = read_digits(mnist, result.reconstruction) if mnist is not None else None
        rows.append(Row(name, Objective.of(models[name]), result, readings, labels, back))
    return Comparison(labels, rows, guessed)


ROW_TITLES = ("x", "G(x)", "F(G(x))")


@dataclass(frozen=True)
class GridView:
    """One translator's row of the λ page: its label, one aligned picture of x, G(x), F(G(x)), and its verdict."""

    name: str
    label: str
    picture: bytes  # PNG: three rows of tiles, a reading under every image
    verdict: str


def comparison_view(
    models: Mapping[str, CycleGAN], x: torch.Tensor, labels: Sequence[int] | None = None, readers: Readers | None = None
) -> list[GridView]:
    """``compare``, rendered: per translator one grid whose columns are the inputs, so that x, G(x) and F(G(x))
    of one digit always stand in one column, each with what its domain's classifier reads (green when it is x's
    digit, red when not). Under x: its label, or "read as" and the MNIST classifier's guess for a drawing."""
    comparison = compare(models, x, labels, readers)
    views = []
    for row in comparison.rows:
        captions = [comparison.captions(), _read(row.readings, row.labels), _read(row.back, row.labels)]
        grid = [row.result.source, row.result.translated, row.result.reconstruction]
        picture = images.labelled_grid(grid, captions, row_titles=ROW_TITLES, scale=3)
        guess = f"x read as {', '.join(map(str, row.labels))} by the MNIST classifier; " if comparison.guessed else ""
        views.append(GridView(row.name, row.objective.label, images.png_bytes(picture), guess + row.verdict))
    return views


def _read(readings: list[Reading] | None, labels: list[int] | None) -> list[Label]:
    if readings is None:
        return []
    if labels is None:
        return [Label(f"reads {r.digit}") for r in readings]
    return [Label(f"reads {r.digit}", "good" if r.digit == d else "bad") for r, d in zip(readings, labels, strict=True)]


@torch.inference_mode()
def tradeoff(
    models: Mapping[str, CycleGAN], x: torch.Tensor, y: torch.Tensor, usps_classifier: DigitClassifier
) -> list[dict[str, float]]:
    """Per translator: share of MNIST labels the USPS classifier still reads after G, and the cycle L1 of F(G(x)).

    The quick, live version of ``zoo.evaluate``'s label_preservation_mnist_to_usps and cycle_l1_mnist.
    """
    rows = []
    for name, model in models.items():
        translated = metrics.translate(model.mnist_to_usps, x)
        counts = metrics.confusion(usps_classifier, translated, y)
        rows.append(
            {
                "name": name,
                "lambda_cycle": float(model.lambda_cycle),
                "label_preservation_mnist_to_usps": metrics.share_kept(counts),
                "cycle_l1_mnist": metrics.cycle_error(x, metrics.translate(model.usps_to_mnist, translated)),
                "confusion_mnist_to_usps": counts.tolist(),
            }
        )
    return sorted(rows, key=lambda row: row["lambda_cycle"])


@dataclass(frozen=True)
class TradeOff:
    """Labels kept against cycle error: the sweep for the chart, every translator for the label-flip heatmap."""

    sweep: list[dict]  # rows of the λ sweep, by λ
    others: dict[str, dict]  # label → row, translators trained with another objective
    flips: dict[str, dict]  # label → row with confusion counts, in display order
    default: str | None  # the label the heatmap opens on: the translator the pages default to
    measured_on: str  # what the figures come from, for the caption

    @property
    def finding(self) -> str:
        """What the sweep's own figures show, in words: labels kept at the smallest, best and largest λ, and how
        the cycle error moves. Written from the rows, so that the page says what these runs did, not what the
        paper or an earlier sweep did."""
        rows = [r for r in self.sweep if "label_preservation_mnist_to_usps" in r]
        if len(rows) < 2:
            return ""

        def kept(row: dict) -> str:
            return f"{100 * row['label_preservation_mnist_to_usps']:.1f} % at λ = {row['lambda_cycle']:g}"

        low, high = rows[0], rows[-1]
        best = max(rows, key=lambda r: r["label_preservation_mnist_to_usps"])
        words = f"In this sweep, G keeps the label of {kept(low)}"
        if best is not low and best is not high:
            words += f", most at {kept(best)}, and {kept(high)}"
        else:
            words += f" and {kept(high)}"
        if "cycle_l1_mnist" in low and "cycle_l1_mnist" in high:
            words += (
                f"; the cycle error |F(G(x)) − x| goes from {low['cycle_l1_mnist']:.3f} to {high['cycle_l1_mnist']:.3f}"
            )
        return words + "."


def trade_off(
    models: Mapping[str, CycleGAN],
    test: tuple[torch.Tensor, torch.Tensor] | None,
    usps_reader: DigitClassifier | None,
    quick: int = QUICK_IMAGES,
) -> TradeOff | None:
    """The evaluator's figures when every translator has a metrics.json, else a live estimate on ``quick`` MNIST
    test digits (needs the test set and the USPS classifier), else None."""
    recorded = {name: read_metrics(local(name)) for name in models}
    if all(recorded.values()):
        rows = {name: {**data["metrics"], "name": name} for name, data in recorded.items()}
        measured_on = "full test sets, from each model's metrics.json (`python -m zoo.evaluate`)"
    elif test is not None and usps_reader is not None:
        n = min(quick, len(test[1]))
        rows = {row["name"]: row for row in tradeoff(models, test[0][:n], test[1][:n], usps_reader)}
        measured_on = f"a quick live estimate on the first {n} MNIST test digits (some metrics.json files are missing)"
    else:
        return None
    order = display_order(models)
    objectives = {name: Objective.of(models[name]) for name in order}  # config.json says what each one is
    labels = {name: objectives[name].label for name in order}
    flips = {labels[n]: rows[n] for n in order if rows[n].get("confusion_mnist_to_usps")}
    opening = default("translator")
    return TradeOff(
        sweep=[rows[n] for n in order if objectives[n].in_sweep],
        others={labels[n]: rows[n] for n in order if not objectives[n].in_sweep},
        flips=flips,
        default=labels[opening] if opening in labels and labels[opening] in flips else next(iter(flips), None),
        measured_on=measured_on,
    )
