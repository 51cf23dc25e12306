"""zoo.report: the Markdown tables, and the gallery's tables of what folders recorded."""

from __future__ import annotations

import json
from pathlib import Path

from zoo.report import provenance_table, recorded_report, reference_applies


def test_recorded_report_reads_metrics_json(tiny_weights: Path, monkeypatch) -> None:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    assert recorded_report(["dcgan"]) == ""
    path = tiny_weights / "classifier-usps" / "metrics.json"
    path.write_text(json.dumps({"metrics": {"kind": "classifier", "domain": "usps", "test_accuracy": 0.95}}))
    try:
        assert "| classifier-usps | usps | 95.00 |" in recorded_report(["classifier-usps", "dcgan"])
    finally:
        path.unlink()


def test_reference_rows_go_to_the_table_with_their_figures() -> None:
    mnist, no_translation = {"inception_score": 9.9}, {"adaptation_accuracy": 0.9}
    assert reference_applies(mnist, "generator") and not reference_applies(mnist, "translator")
    assert reference_applies(no_translation, "translator") and not reference_applies(no_translation, "classifier")


def _write_metrics(folder: Path, metrics: dict) -> Path:
    path = folder / "metrics.json"
    path.write_text(json.dumps({"metrics": metrics}))
    return path


def test_legend_explains_every_column_shown() -> None:
    """Issue 14: "TV to uniform", "NN-distance ratio", "copies %" were shown without a word of explanation."""
    from zoo.report import GENERATOR_COLUMNS, TRANSLATOR_COLUMNS, legend

    text = legend(["generator", "translator", "classifier", "generator"])
    for column in GENERATOR_COLUMNS[1:] + TRANSLATOR_COLUMNS[2:] + ("test accuracy %",):
        assert text.count(f"**{column}**") == 1
    assert "mode collapse" in text and "copies" in text
    assert legend(["classifier"]).startswith("- **test accuracy %**")


def test_memorisation_and_translator_figures_in_plain_words(tiny_weights: Path, monkeypatch) -> None:
    from zoo.report import memorisation_sentence, translator_summary

    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(tiny_weights))
    assert memorisation_sentence("dcgan") == "" and translator_summary("cyclegan-lambda10") == ""
    figures = {"nn_distance_median_test": 8.8, "nn_distance_median": 10.2, "copy_share": 0.0}
    path = _write_metrics(tiny_weights / "dcgan", figures)
    try:
        said = memorisation_sentence("dcgan")
        assert "typically 8.8 away" in said and "typically 10.2 away" in said and "draws new digits" in said
        _write_metrics(tiny_weights / "dcgan", figures | {"nn_distance_median": 4.0, "copy_share": 0.2})
        assert "20.0 % of them sit closer to one than new handwriting does" in memorisation_sentence("dcgan")
    finally:
        path.unlink()
    confusion = [[100 if r == c else 0 for c in range(10)] for r in range(10)]
    confusion[7] = [0] * 9 + [100]  # every 7 read as a 9
    path = _write_metrics(
        tiny_weights / "cyclegan-lambda10",
        {
            "label_preservation_mnist_to_usps": 0.9,
            "label_preservation_usps_to_mnist": 0.85,
            "confusion_mnist_to_usps": confusion,
        },
    )
    try:
        said = translator_summary("cyclegan-lambda10")
        assert "keeps the label of 90.0 % of MNIST test digits and 85.0 % of USPS digits" in said
        assert "turns 7 → 9 (100 % of 7s) most often" in said
    finally:
        path.unlink()


def test_translators_table_the_sweep_by_lambda_then_the_semantic_translator_labelled() -> None:
    from zoo.report import report

    def translator(lam: float, **extra: float) -> dict:
        return {"kind": "translator", "lambda_cycle": lam, "lambda_identity": 0.0, **extra}

    table = report(
        {
            "cyclegan-semantic": translator(10, semantic_weight=1.0),
            "cyclegan-lambda15": translator(15),
            "cyclegan-lambda3": translator(3),
            "old-identity": translator(6, lambda_identity=3.0),
        },
        {},
    )
    rows = [line.split(" | ")[:2] for line in table.splitlines() if line.startswith("| cyclegan") or "old-" in line]
    assert rows == [
        ["| cyclegan-lambda3", "3"],
        ["| old-identity", "6, identity 3"],
        ["| cyclegan-lambda15", "15"],
        ["| cyclegan-semantic", "10 + semantic loss"],
    ]


def test_provenance_of_a_fine_tuned_model_lists_the_run_it_started_from_first() -> None:
    parent = {
        "command": "python -m train.cyclegan --out runs/a",
        "steps": 14000,
        "wall_time_s": 5400.0,
        "hardware": "X",
    }
    child = {
        "command": "python -m train.cyclegan --out runs/b --init-from runs/a/model",
        "steps": 4000,
        "wall_time_s": 2640.0,
        "hardware": "Y",
        "started_from": parent,
    }
    rows = provenance_table({"plain": parent, "tuned": child}).splitlines()
    assert "| plain | `python -m train.cyclegan --out runs/a` | 14000 | 90 min | X |" in rows
    tuned = next(r for r in rows if r.startswith("| tuned |"))
    assert tuned == (
        "| tuned | `python -m train.cyclegan --out runs/a`, then `python -m train.cyclegan --out runs/b "
        "--init-from runs/a/model` | 14000 + 4000 | 90 + 44 min | X, then Y |"
    )
