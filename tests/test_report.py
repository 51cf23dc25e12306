"""zoo.report: the Markdown tables, and the gallery's tables of what folders recorded."""

from __future__ import annotations

import json
from pathlib import Path

from zoo.report import recorded_report, reference_applies


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
