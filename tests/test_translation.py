"""zoo.translation: cycles, the Draw page's panels, the λ page's rows and trade-off (recorded or live)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import make_tiny_weights

import zoo
from zoo import metrics
from zoo.translation import (
    TradeOff,
    compare,
    cycle,
    display_order,
    trade_off,
    tradeoff,
    translate_and_read,
)


@pytest.fixture
def weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(make_tiny_weights(tmp_path / "weights", semantic=True)))
    monkeypatch.delenv("GAN_ZOO_HUB_REPO", raising=False)
    return tmp_path / "weights"


def translators(*names: str) -> dict[str, zoo.CycleGAN]:
    return {name: zoo.load(name) for name in names}


def test_cycle_readings_and_live_tradeoff(weights: Path) -> None:
    model = zoo.load("cyclegan-lambda10")
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    forward = cycle(model, x)
    torch.testing.assert_close(forward.translated, model.mnist_to_usps(x))
    torch.testing.assert_close(forward.reconstruction, model.usps_to_mnist(model.mnist_to_usps(x)))
    assert forward.usps_16.shape == (3, 1, 16, 16)
    reverse = cycle(model, x, "usps_to_mnist")
    torch.testing.assert_close(reverse.translated, model.usps_to_mnist(x))
    assert reverse.usps_16.shape == (3, 1, 16, 16)
    with pytest.raises(ValueError, match="direction"):
        cycle(model, x, "sideways")
    clf = zoo.load("classifier-usps")
    rows = tradeoff({"b": model, "a": zoo.load("cyclegan-lambda0")}, x, torch.tensor([1, 2, 3]), clf)
    assert [r["lambda_cycle"] for r in rows] == [0.0, 10.0]
    assert all(0 <= r["label_preservation_mnist_to_usps"] <= 1 and r["cycle_l1_mnist"] > 0 for r in rows)
    for r in rows:  # the confusion counts are the same readings as the preservation figure
        counts = torch.tensor(r["confusion_mnist_to_usps"])
        assert counts.sum() == 3 and counts.trace() / 3 == pytest.approx(r["label_preservation_mnist_to_usps"])


def test_translate_and_read_gives_four_panels_read_by_their_domain(weights: Path) -> None:
    model, x = zoo.load("cyclegan-lambda10"), torch.rand(1, 1, 28, 28) * 2 - 1
    readers = {"mnist": zoo.load("classifier-mnist"), "usps": zoo.load("classifier-usps")}
    forward = translate_and_read(model, x, "mnist_to_usps", readers)
    assert [p.title for p in forward] == [
        "Input, MNIST style (28×28)",
        "G(x): USPS style (28×28)",
        "G(x) at USPS's native 16×16",
        "F(G(x)): cycle reconstruction",
    ]
    assert [p.domain for p in forward] == ["mnist", "usps", None, "mnist"]
    torch.testing.assert_close(forward[1].image, model.mnist_to_usps(x))
    assert forward[1].reading.digit == int(metrics.predict(readers["usps"], forward[1].image).argmax())
    assert forward[0].said.startswith("MNIST classifier reads ") and forward[2].said == ""
    assert [p.picture().size for p in forward] == [(112, 112)] * 4
    reverse = translate_and_read(model, x, "usps_to_mnist", {"mnist": readers["mnist"], "usps": None})
    assert reverse[2].title == "F(x): MNIST style" and reverse[0].said == "(USPS classifier not installed)"


def test_compare_orders_the_sweep_by_lambda_then_other_objectives(weights: Path) -> None:
    models = translators("cyclegan-semantic", "cyclegan-lambda10", "cyclegan-lambda0")
    assert display_order(models) == ["cyclegan-lambda0", "cyclegan-lambda10", "cyclegan-semantic"]
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    usps = zoo.load("classifier-usps")
    comparison = compare(models, x, [1, 2, 3], {"usps": usps})
    labels = [row.objective.label for row in comparison.rows]
    assert labels == ["λ = 0", "λ = 10", "semantic (CyCADA), λ = 10"]
    row = comparison.rows[1]
    read = usps(models["cyclegan-lambda10"].mnist_to_usps(x)).argmax(1).tolist()
    kept = sum(r == d for r, d in zip(read, [1, 2, 3], strict=True))
    assert row.verdict.startswith("USPS classifier reads ") and row.verdict.endswith(f": {kept}/3 kept")
    drawn = compare(models, x[:1], None, {"mnist": zoo.load("classifier-mnist")})
    assert drawn.labels is not None and len(drawn.labels) == 1 and drawn.rows[0].verdict == ""


def test_trade_off_is_recorded_when_every_folder_has_figures_else_live(weights: Path) -> None:
    models = translators("cyclegan-lambda0", "cyclegan-lambda10", "cyclegan-semantic")
    test = (torch.rand(20, 1, 28, 28) * 2 - 1, torch.arange(20) % 10)
    usps = zoo.load("classifier-usps")
    live = trade_off(models, test, usps, quick=8)
    assert "first 8 MNIST test digits" in live.measured_on
    assert [r["name"] for r in live.sweep] == ["cyclegan-lambda0", "cyclegan-lambda10"]
    assert list(live.others) == ["semantic (CyCADA), λ = 10"]
    assert list(live.flips) == ["λ = 0", "λ = 10", "semantic (CyCADA), λ = 10"]
    assert live.default == "semantic (CyCADA), λ = 10"  # the pages' default translator
    assert trade_off(models, None, usps) is None and trade_off(models, test, None) is None
    for name in models:
        metrics = {"kind": "translator", "lambda_cycle": 1.0, "label_preservation_mnist_to_usps": 0.5}
        (weights / name / "metrics.json").write_text(json.dumps({"metrics": metrics}))
    recorded = trade_off(models, None, None)
    assert "metrics.json" in recorded.measured_on and recorded.flips == {} and recorded.default is None
    assert [r["name"] for r in recorded.sweep] == ["cyclegan-lambda0", "cyclegan-lambda10"]  # identity from config


def test_trade_off_finding_says_what_the_sweep_measured() -> None:
    def row(lam: float, kept: float, l1: float) -> dict:
        return {"lambda_cycle": lam, "label_preservation_mnist_to_usps": kept, "cycle_l1_mnist": l1}

    def finding(*rows: dict) -> str:
        return TradeOff(list(rows), {}, {}, None, "").finding

    peaked = finding(row(0, 0.895, 0.215), row(3, 0.976, 0.051), row(15, 0.95, 0.045))
    assert peaked == (
        "In this sweep, G keeps the label of 89.5 % at λ = 0, most at 97.6 % at λ = 3, and 95.0 % at λ = 15; "
        "the cycle error |F(G(x)) − x| goes from 0.215 to 0.045."
    )
    rising = finding(row(0, 0.5, 0.3), row(10, 0.9, 0.05))
    assert rising.startswith("In this sweep, G keeps the label of 50.0 % at λ = 0 and 90.0 % at λ = 10;")
    assert finding(row(10, 0.9, 0.05)) == ""  # one run is not a sweep


def test_comparison_view_is_one_aligned_grid_per_translator_with_a_reading_under_every_image(weights: Path) -> None:
    """Issue 14: the inputs wrapped while G(x) squeezed, reconstructions were not read, a drawing said "label"."""
    import io

    from PIL import Image

    from zoo import images, translation

    models = translators("cyclegan-semantic", "cyclegan-lambda10", "cyclegan-lambda0")
    readers = {"mnist": zoo.load("classifier-mnist"), "usps": zoo.load("classifier-usps")}
    x = torch.rand(12, 1, 28, 28) * 2 - 1
    views = translation.comparison_view(models, x, list(range(10)) + [0, 1], readers)
    assert [v.name for v in views] == ["cyclegan-lambda0", "cyclegan-lambda10", "cyclegan-semantic"]
    sizes = {Image.open(io.BytesIO(v.picture)).size for v in views}
    assert len(sizes) == 1  # the same grid for every translator: one column per digit
    width, height = sizes.pop()
    assert height == 3 * (84 + images.CAPTION_SIZE + 5 + 4) - 4  # x, G(x), F(G(x)), a caption band under each
    assert width >= 12 * 84  # the twelve digits in one row each, at 3×
    assert all("F(G(x)) reads as x's digit in" in v.verdict for v in views)
    drawn = compare(models, x[:1], None, readers)
    assert drawn.guessed and drawn.captions()[0].startswith("read as ")
    (view, *_) = translation.comparison_view(models, x[:1], None, readers)
    assert view.verdict.startswith(f"x read as {drawn.labels[0]} by the MNIST classifier; USPS classifier reads")
    labelled = compare(models, x[:2], [3, 4], readers)
    assert not labelled.guessed and labelled.captions() == ["label 3", "label 4"]
    assert all(len(row.back) == 2 for row in labelled.rows)  # reconstructions are read too


def test_translation_view_renders_the_panels_and_a_sheet_to_download(weights: Path) -> None:
    import io

    from PIL import Image

    from zoo import translation

    readers = {"mnist": zoo.load("classifier-mnist"), "usps": zoo.load("classifier-usps")}
    view = translation.translation_view(
        zoo.load("cyclegan-lambda10"), torch.rand(1, 1, 28, 28) * 2 - 1, readers=readers
    )
    assert [Image.open(io.BytesIO(p)).size for p in view.pictures] == [(112, 112)] * 4
    assert view.labels == ["input", "G(x)", "G(x) at 16×16", "F(G(x))"] and view.said[2] == ""
    sheet = Image.open(io.BytesIO(view.sheet))
    assert sheet.size[0] >= 4 * 112 and sheet.size[1] > 112  # four stages, titles and readings around them
