"""Markdown tables of measured figures: one renderer for the evaluator, the model cards, the README and the app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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


def translator_table(rows: dict[str, dict[str, Any]]) -> str:
    return _table(
        TRANSLATOR_COLUMNS,
        (
            [
                name,
                _num(m.get("lambda_cycle"), 0) if "lambda_cycle" in m else "–",
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
        parts.append("### Generators (10,000 samples vs the MNIST test set)\n\n" + generator_table({**gens, **ref}))
    trans = {
        n: m
        for n, m in sorted(results.items(), key=lambda kv: kv[1].get("lambda_cycle", 0))
        if m["kind"] == "translator"
    }
    if trans:
        ref = {f"*{n}*": m for n, m in references.items() if reference_applies(m, "translator")}
        parts.append("### Translators (test sets)\n\n" + translator_table({**trans, **ref}))
    clfs = {n: m for n, m in results.items() if m["kind"] == "classifier"}
    if clfs:
        parts.append("### Classifiers (official test sets)\n\n" + classifier_table(clfs))
    return "\n\n".join(parts)


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
    """How each model was made, from its ``training.json``: the command that reproduces it and what it cost."""
    return _table(
        ("model", "command", "steps", "wall time", "hardware"),
        (
            [name, f"`{t['command']}`", str(t["steps"]), f"{t['wall_time_s'] / 60:.0f} min", t["hardware"]]
            for name, t in trainings.items()
        ),
    )
