"""Markdown tables of measured figures: one renderer for the evaluator, the model cards, the README and the app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .catalog import READERS
from .folder import local, read_metrics
from .metrics import label_flips


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table: the header, its separator, one line per row of already formatted cells."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


GENERATOR_COLUMNS = (
    "model",
    "Fréchet distance ↓",
    "Inception Score ↑",
    "TV to uniform ↓",
    "class % min–max",
    "confident %",
    "NN-distance ratio",
    "copies %",
)
TRANSLATOR_COLUMNS = (
    "model",
    "λ",
    "labels kept M→U %",
    "labels kept U→M %",
    "adaptation acc. %",
    "cycle L1 M",
    "cycle L1 U",
    "Fréchet to USPS ↓",
    "top flips M→U",
)


# What each column means, in a sentence a newcomer can follow: the gallery shows it under the tables.
LEGEND = {
    "Fréchet distance ↓": "how far the samples' features (read by the zoo's MNIST classifier) are from real "
    "test digits' features, as two Gaussians; 0 would be indistinguishable.",
    "Inception Score ↑": "high when each sample is clearly one digit and all ten digits appear (at most 10).",
    "TV to uniform ↓": "how unevenly the ten digits are drawn: total variation distance between the class "
    "histogram and the uniform 10 % each; 0 is perfectly even, 0.9 is one digit only (mode collapse).",
    "class % min–max": "the rarest and the commonest digit's share of the samples (10–10 when even).",
    "confident %": "samples the classifier reads as one digit with at least 90 % probability.",
    "NN-distance ratio": "median pixel distance from a sample to its nearest training digit, divided by the same "
    "for unseen real test digits: about 1 for new handwriting, well below 1 for copies.",
    "copies %": "samples nearer to a training digit than 99 % of unseen real digits are: near-copies.",
    "labels kept M→U %": "MNIST test digits that the USPS classifier still reads as the same digit after G.",
    "labels kept U→M %": "USPS test digits that the MNIST classifier still reads as the same digit after F.",
    "adaptation acc. %": "a fresh classifier trained only on translated MNIST (with MNIST's labels), tested on real "
    "USPS: the domain-adaptation use of a translator.",
    "cycle L1 M": "mean |F(G(x)) − x| on MNIST (images in [-1, 1]): how well the digit comes back.",
    "cycle L1 U": "the same from USPS: mean |G(F(y)) − y|.",
    "Fréchet to USPS ↓": "Fréchet distance of G(MNIST test) to USPS test, in the USPS classifier's features.",
    "top flips M→U": "the digits G most often turns into another, as a share of that digit's test images.",
    "test accuracy %": "share of the official test set read correctly.",
}


def legend(kinds: Iterable[str]) -> str:
    """A Markdown list explaining the columns of the tables shown for these kinds of model."""
    columns = {
        "generator": GENERATOR_COLUMNS[1:],
        "translator": TRANSLATOR_COLUMNS[2:],
        "classifier": ("test accuracy %",),
    }
    shown = [c for kind in dict.fromkeys(kinds) for c in columns.get(kind, ())]
    return "\n".join(f"- **{c}**: {LEGEND[c]}" for c in shown)


def memorisation_sentence(name: str) -> str:
    """The memorisation check in plain words, from a generator's metrics.json figures ("" without them)."""
    metrics = (read_metrics(local(name)) or {}).get("metrics", {})
    if "nn_distance_median_test" not in metrics or "nn_distance_median" not in metrics:
        return ""
    real, own, copies = metrics["nn_distance_median_test"], metrics["nn_distance_median"], metrics["copy_share"]
    if own >= 0.9 * real and copies <= 0.02:
        verdict = "so it draws new digits rather than copying its training set"
    elif copies > 0.02:
        verdict = f"and {100 * copies:.1f} % of them sit closer to one than new handwriting does: some are near-copies"
    else:
        verdict = "closer than new handwriting: it stays near its training digits"
    return (
        f"New handwriting (MNIST test digits) is typically {real:.1f} away from the nearest training digit. This "
        f"model's samples are typically {own:.1f} away, {verdict}. ({100 * copies:.1f} % of its samples are closer "
        "to a training digit than 99 % of new handwriting is; about 1 % would be normal.)"
    )


def translator_summary(name: str) -> str:
    """A translator's own figures in one sentence (labels kept both ways, its top flips), from its folder's
    metrics.json ("" when it has none)."""
    metrics = (read_metrics(local(name)) or {}).get("metrics", {})
    parts = []
    kept = [metrics.get(f"label_preservation_{d}") for d in ("mnist_to_usps", "usps_to_mnist")]
    if kept[0] is not None:
        back = f" and {_pct(kept[1])} % of USPS digits the other way" if kept[1] is not None else ""
        parts.append(f"keeps the label of {_pct(kept[0])} % of MNIST test digits{back}")
    if metrics.get("confusion_mnist_to_usps") is not None:
        flips = label_flips(metrics["confusion_mnist_to_usps"], top=2)
        said = ", ".join(f"{f.digit} → {f.read_as} ({100 * f.share:.0f} % of {f.digit}s)" for f in flips)
        parts.append(f"turns {said} most often" if flips else "turns no digit into another in 5 % of cases or more")
    return ("On the test sets it " + "; it ".join(parts) + ".") if parts else ""


def generator_table(rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        GENERATOR_COLUMNS,
        (
            [
                name,
                _num(m["frechet_distance"]),
                _num(m["inception_score"]),
                _num(m["tv_to_uniform"], 3),
                f"{_pct(m['min_class_share'])}–{_pct(m['max_class_share'])}",
                _pct(m["confident_share"]),
                _num(m["distance_ratio"]),
                _pct(m["copy_share"]),
            ]
            for name, m in rows.items()
        ),
    )


def _lambda_cell(m: dict[str, Any]) -> str:
    """λ, and what else the translator was trained with when it is not a plain run of the sweep."""
    if "lambda_cycle" not in m:
        return "–"
    cell = _num(m["lambda_cycle"], 0)
    if m.get("semantic_weight"):
        cell += " + semantic loss"
    if m.get("lambda_identity"):
        cell += f", identity {m['lambda_identity']:g}"
    return cell


def translator_table(rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        TRANSLATOR_COLUMNS,
        (
            [
                name,
                _lambda_cell(m),
                _pct(m.get("label_preservation_mnist_to_usps")),
                _pct(m.get("label_preservation_usps_to_mnist")),
                _pct(m.get("adaptation_accuracy")),
                _num(m.get("cycle_l1_mnist"), 3),
                _num(m.get("cycle_l1_usps"), 3),
                _num(m.get("frechet_distance_to_usps")),
                _flips(m.get("confusion_mnist_to_usps")),
            ]
            for name, m in rows.items()
        ),
    )


def adaptation_class_table(rows: dict[str, dict[str, Any]]) -> str:
    """The adaptation probe's error on each USPS test class (from ``adaptation_confusion``), one row per model or
    reference that has it ("" when none does): which USPS digits a translator's images fail to teach."""
    rows = {name: m["adaptation_confusion"] for name, m in rows.items() if m.get("adaptation_confusion")}
    if not rows:
        return ""
    first = next(iter(rows.values()))
    columns = ["USPS test class", *map(str, range(len(first)))]

    def errors(confusion: list[list[int]]) -> list[str]:
        return [f"{100 * (1 - row[d] / sum(row)):.1f}" if sum(row) else "–" for d, row in enumerate(confusion)]

    return _table(columns, ([f"{name}: error %", *errors(c)] for name, c in rows.items()))


def _flips(confusion: list[list[int]] | None) -> str:
    """The two most frequent label changes, e.g. "7→9 62%, 5→3 16%"."""
    if confusion is None:
        return "–"
    flips = label_flips(confusion, top=2)
    return ", ".join(f"{f.digit}→{f.read_as} {100 * f.share:.0f}%" for f in flips) or "none ≥ 5%"


def classifier_table(rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        ("model", "domain", "test accuracy %"),
        ([n, m["domain"], f"{100 * m['test_accuracy']:.2f}"] for n, m in rows.items()),
    )


def reference_applies(reference: dict[str, Any], kind: str) -> bool:
    """Whether a reference row (real data) belongs in the table of a kind of model: it has that table's figures."""
    return {"generator": "inception_score", "translator": "adaptation_accuracy"}.get(kind, "") in reference


def report(results: dict[str, dict[str, Any]], references: dict[str, dict[str, Any]]) -> str:
    """The Markdown tables for whatever kinds of model were evaluated, with their reference rows."""
    parts = []
    gens = {n: m for n, m in results.items() if m["kind"] == "generator"}
    if gens:
        ref = {f"*{n}*": m for n, m in references.items() if reference_applies(m, "generator")}
        parts.append(f"### Generators ({_sampling(gens)})\n\n" + generator_table({**gens, **ref}))
    trans = {
        n: m
        for n, m in sorted(  # the sweep by λ, then the translators trained with another objective
            results.items(), key=lambda kv: (bool(kv[1].get("semantic_weight")), kv[1].get("lambda_cycle", 0))
        )
        if m["kind"] == "translator"
    }
    if trans:
        ref = {f"*{n}*": m for n, m in references.items() if reference_applies(m, "translator")}
        read = {(domain, name) for m in trans.values() for domain, name in m.get("readers", {}).items()}
        apart = f"; {read_by(read)}: not the models' figures" if read else ""
        parts.append(f"### Translators (test sets{apart})\n\n" + translator_table({**trans, **ref}))
    clfs = {n: m for n, m in results.items() if m["kind"] == "classifier"}
    if clfs:
        parts.append("### Classifiers (official test sets)\n\n" + classifier_table(clfs))
    return "\n\n".join(parts)


def read_by(readers: Iterable[tuple[str, str]]) -> str:
    """The words every heading and error uses for figures read by a classifier other than the evaluator's own
    (``catalog.READERS``): "read by X instead of classifier-mnist, …" for (domain, classifier name) pairs."""
    return "read by " + ", ".join(f"{name} instead of {READERS[domain]}" for domain, name in sorted(set(readers)))


def _sampling(generators: dict[str, dict[str, Any]]) -> str:
    """How the generators' samples were drawn and read, for a table's heading: truncated sampling and a reader other
    than the evaluator's classifier are named as such, since their figures are not the models' own."""
    counts = sorted({m.get("samples", 10_000) for m in generators.values()})
    drawn = " or ".join(f"{n:,}" for n in counts) + " samples vs the MNIST test set"
    truncations = sorted({m["truncation"] for m in generators.values() if m.get("truncation") is not None})
    read = {("mnist", m["reader"]) for m in generators.values() if m.get("reader")}
    apart = [f"latents truncated to ±{' or ±'.join(f'{t:g}' for t in truncations)}"] if truncations else []
    apart += [read_by(read)] if read else []
    return drawn + (f"; {'; '.join(apart)}: not the models' figures" if apart else "")


def recorded_report(names: Iterable[str]) -> str:
    """The tables of the models whose folders hold a metrics.json, with their reference rows ("" if none do).

    What the gallery shows: figures the evaluator recorded, never measured on the fly.
    """
    results, references = {}, {}
    for name in names:
        data = read_metrics(local(name))
        if data is None or "kind" not in data["metrics"]:
            continue
        results[name] = data["metrics"]
        references.update(data.get("reference") or {})
    if not results:
        return ""
    try:
        return report(results, references)
    except KeyError:  # a metrics.json from an older evaluator: show what can be shown, not a traceback
        return report({n: m for n, m in results.items() if m["kind"] != "generator"}, references)


def provenance_table(trainings: dict[str, dict[str, Any]]) -> str:
    """How each model was made, from its ``training.json``: the commands that reproduce it and what they cost.

    A fine-tuned model (``--init-from``) lists the run that made its starting weights first, then its own: its
    own command alone cannot reproduce it from a fresh clone."""

    def row(name: str, t: dict[str, Any]) -> list[str]:
        parent = t.get("started_from") or {}
        recorded = isinstance(parent.get("command"), str) and isinstance(parent.get("wall_time_s"), (int, float))
        runs = ([parent] if recorded else []) + [t]  # as the card's "fine-tuned from" line: only a recorded parent
        return [
            name,
            ", then ".join(f"`{r['command']}`" for r in runs),
            " + ".join(str(r["steps"]) for r in runs),
            " + ".join(f"{r['wall_time_s'] / 60:.0f}" for r in runs) + " min",
            ", then ".join(dict.fromkeys(str(r.get("hardware")) for r in runs)),
        ]

    return _table(("model", "command", "steps", "wall time", "hardware"), (row(n, t) for n, t in trainings.items()))
