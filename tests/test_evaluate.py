"""zoo.evaluate: the adaptation probe, the evaluator end to end on tiny models, and the README's results."""

import json

import pytest
import torch

from zoo import metrics
from zoo.data import load_mnist, load_usps
from zoo.evaluate import Evaluator, adaptation_accuracy
from zoo.evaluate import main as evaluate_main
from zoo.models import CycleGAN, DCGANGenerator, DigitClassifier


def test_adaptation_probe_learns_a_separable_task():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(400) % 10
    x = -torch.ones(400, 1, 28, 28)
    for i, label in enumerate(y):  # each class lights a different row band
        x[i, 0, 2 * label + 3 : 2 * label + 6, 4:24] = 1
    x += 0.05 * torch.randn(x.shape, generator=gen)
    assert adaptation_accuracy(x, y, x, y, steps=150) > 0.9


@pytest.fixture
def tiny_zoo(tmp_path):
    torch.manual_seed(0)
    paths = {}
    for name, model in {
        "classifier-mnist": DigitClassifier("mnist", width=4),
        "classifier-usps": DigitClassifier("usps", width=4),
        "dcgan": DCGANGenerator(width=4),
        "cyclegan-lambda3": CycleGAN(width=4, n_blocks=1, lambda_cycle=3.0),
        "cyclegan-lambda10": CycleGAN(width=4, n_blocks=1, lambda_cycle=10.0),
    }.items():
        model.eval().save_pretrained(tmp_path / name)
        paths[name] = tmp_path / name
    return paths


def test_evaluator_end_to_end(tiny_zoo, tiny_data, tmp_path, capsys):
    argv = [
        str(tiny_zoo["dcgan"]),
        str(tiny_zoo["cyclegan-lambda3"]),
        str(tiny_zoo["classifier-usps"]),
        "--samples",
        "200",
        "--data-dir",
        str(tiny_data),
        "--adaptation-steps",
        "3",
        "--adaptation-images",
        "64",
        "--classifier-mnist",
        str(tiny_zoo["classifier-mnist"]),
        "--classifier-usps",
        str(tiny_zoo["classifier-usps"]),
    ]
    assert evaluate_main([*argv, "--json", str(tmp_path / "a.json")]) == 0
    table = capsys.readouterr().out
    assert "| dcgan |" in table and "| *MNIST (real data)* |" in table
    assert "| cyclegan-lambda3 | 3 |" in table and "*no translation (MNIST as is)*" in table
    assert "| classifier-usps | usps |" in table
    saved = json.loads((tiny_zoo["dcgan"] / "metrics.json").read_text())
    assert saved["metrics"]["samples"] == 200 and "MNIST (real data)" in saved["reference"]
    assert 1 <= saved["metrics"]["inception_score"] <= 10
    assert "top flips M→U" in table
    translator = json.loads((tiny_zoo["cyclegan-lambda3"] / "metrics.json").read_text())["metrics"]
    counts = torch.tensor(translator["confusion_mnist_to_usps"])
    mnist_test_labels = load_mnist("test", tiny_data)[1]
    assert (
        counts.shape == (10, 10) and counts.sum(1).tolist() == torch.bincount(mnist_test_labels, minlength=10).tolist()
    )
    assert counts.trace() / counts.sum() == pytest.approx(translator["label_preservation_mnist_to_usps"])
    assert torch.tensor(translator["confusion_usps_to_mnist"]).sum() > 0
    # the adaptation probe's confusion on USPS test: which USPS digits the translated images fail to teach
    usps_test_labels = load_usps("test", tiny_data)[1]
    saved_refs = json.loads((tiny_zoo["cyclegan-lambda3"] / "metrics.json").read_text())["reference"]
    assert {"no translation (MNIST as is)", "USPS train (target oracle)"} <= set(saved_refs)
    for row in [translator, *saved_refs.values()]:
        probe = torch.tensor(row["adaptation_confusion"])
        assert probe.sum(1).tolist() == torch.bincount(usps_test_labels, minlength=10).tolist()
        assert probe.trace() / probe.sum() == pytest.approx(row["adaptation_accuracy"])
    card = (tiny_zoo["cyclegan-lambda3"] / "README.md").read_text()
    assert card.startswith("---\n") and "library_name: gan-zoo" in card and "label_preservation" in card
    probe = torch.tensor(translator["adaptation_confusion"])
    fives = f"{100 * (1 - probe[5, 5] / probe[5].sum()):.1f}"
    row = next(line for line in card.splitlines() if line.startswith("| cyclegan-lambda3: error % |"))
    assert row.split(" | ")[6] == fives  # the 5s' column: the error on USPS test 5s
    assert "| *USPS train (target oracle)*: error % |" in card
    assert evaluate_main([*argv, "--json", str(tmp_path / "b.json"), "--no-write"]) == 0
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("a.json", "b.json"))
    assert a["models"] == b["models"] and a["reference"] == b["reference"]  # deterministic for a fixed seed


def test_evaluator_explains_missing_classifier(tiny_zoo, tiny_data, tmp_path, capsys):
    code = evaluate_main(
        [str(tiny_zoo["dcgan"]), "--data-dir", str(tiny_data), "--classifier-mnist", str(tmp_path / "nope")]
    )
    err = capsys.readouterr().err
    assert code == 2 and "python -m train.classifier" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--samples", "99999999999"),  # would sample for days and fill the memory
        ("--samples", "60001"),  # more than the Fréchet reference's real digits
        ("--samples", "99"),
        ("--seed", "-1"),
        ("--adaptation-steps", "-3"),
        ("--adaptation-steps", "1000000000"),
        ("--adaptation-images", "0"),  # was a traceback from torch.cat
        ("--adaptation-images", "-1"),  # was silently all but one of MNIST's training digits
        ("--samples", "ten"),
    ],
)
def test_every_count_the_evaluator_takes_is_bounded(tiny_zoo, flag, value, capsys):
    """Out-of-range counts are a one-line usage error (exit 2) before anything loads: no input asks for
    unbounded time or memory, and none turns into a traceback half-way through a run."""
    with pytest.raises(SystemExit) as stop:
        evaluate_main([str(tiny_zoo["dcgan"]), flag, value, "--no-write"])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert f"argument {flag}: expected an integer" in err and "Traceback" not in err


def test_files_it_would_write_at_the_end_are_checked_before_measuring(tiny_zoo, tmp_path, capsys):
    """A --json or --readme that cannot be written was a traceback after minutes of measuring: now a one-line usage
    error (exit 2) before anything loads (no --data-dir is given: nothing gets that far)."""
    no_section = tmp_path / "plain.md"
    no_section.write_text("# A README without a results section\n")
    cases = [
        (["--json", str(tmp_path / "missing" / "figures.json")], "no folder"),
        (["--json", str(tmp_path)], "is a folder, not a file"),
        (["--readme", str(tmp_path / "README.md")], "no such file"),
        (["--readme", str(no_section)], "has no <!-- results:start -->"),
        (["--readme", str(no_section), "--recorded"], "has no <!-- results:start -->"),
    ]
    for extra, message in cases:
        with pytest.raises(SystemExit) as stop:
            evaluate_main([str(tiny_zoo["dcgan"]), *extra])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and message in err and "Traceback" not in err
    assert no_section.read_text() == "# A README without a results section\n"


def test_generators_are_measured_without_usps(tiny_zoo, tiny_data, tmp_path, capsys):
    """A generator's figures need only MNIST and its reader; a translator without USPS is one line and exit 2."""
    import shutil

    mnist_only = tmp_path / "data"
    shutil.copytree(tiny_data / "MNIST", mnist_only / "MNIST")
    base = ["--data-dir", str(mnist_only), "--samples", "200", "--no-write"]
    base += ["--classifier-mnist", str(tiny_zoo["classifier-mnist"]), "--classifier-usps", str(tmp_path / "nope")]
    assert evaluate_main([str(tiny_zoo["dcgan"]), *base]) == 0
    assert "| dcgan |" in capsys.readouterr().out
    assert evaluate_main([str(tiny_zoo["cyclegan-lambda3"]), *base]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") <= 8 and "Traceback" not in err and "USPS" in err


def test_truncated_sampling_is_measured_apart_and_written_nowhere(tiny_zoo, tiny_data, tmp_path, capsys, monkeypatch):
    """Issue 11: truncation does not count towards a model's figures, so --truncation prints its table under a
    heading that says so, never touches the folder's metrics.json, and refuses to go into a README."""
    base = ["--data-dir", str(tiny_data), "--samples", "200", "--classifier-mnist", str(tiny_zoo["classifier-mnist"])]
    folder = tiny_zoo["dcgan"]
    before = sorted(p.name for p in folder.iterdir())
    out_json = tmp_path / "truncated.json"
    assert evaluate_main([str(folder), *base, "--truncation", "1.0", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "(200 samples vs the MNIST test set; latents truncated to ±1: not the models' figures)" in out
    assert "| dcgan |" in out
    assert sorted(p.name for p in folder.iterdir()) == before  # no metrics.json, no card written
    truncated = json.loads(out_json.read_text())["models"]["dcgan"]
    assert truncated["truncation"] == 1.0 and truncated["samples"] == 200
    assert evaluate_main([str(folder), *base, "--no-write", "--json", str(out_json)]) == 0
    plain = json.loads(out_json.read_text())["models"]["dcgan"]
    assert "truncation" not in plain and plain["inception_score"] != truncated["inception_score"]
    assert "(200 samples vs the MNIST test set)" in capsys.readouterr().out
    for bad in (["--truncation", "0"], ["--truncation", "x"], ["--truncation", "1", "--readme", "R.md"]):
        with pytest.raises(SystemExit) as stop:
            evaluate_main([str(folder), *base, *bad])
        assert stop.value.code == 2
    assert "--truncation" in capsys.readouterr().err
    assert evaluate_main([str(tiny_zoo["cyclegan-lambda3"]), *base, "--truncation", "1"]) == 2
    assert capsys.readouterr().err == "error: --truncation samples generators; cyclegan-lambda3 is not one\n"
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(folder.parent))  # no names: every generator there, and only those
    assert evaluate_main([*base, "--truncation", "1", "--json", str(out_json)]) == 0
    assert list(json.loads(out_json.read_text())["models"]) == ["dcgan"]


def test_figures_read_by_another_classifier_are_printed_apart_and_written_nowhere(
    tiny_zoo, tiny_data, tmp_path, capsys
):
    """The zoo's figures are its own readers' (classifier-mnist, classifier-usps): another classifier reads the same
    samples differently, so its figures are headed as such, never written into a model folder or a README."""
    import shutil

    other = tmp_path / "other-reader"
    shutil.copytree(tiny_zoo["classifier-mnist"], other)
    base = ["--data-dir", str(tiny_data), "--samples", "200", "--adaptation-steps", "2", "--adaptation-images", "64"]
    base += ["--classifier-usps", str(tiny_zoo["classifier-usps"])]
    models = [str(tiny_zoo["dcgan"]), str(tiny_zoo["cyclegan-lambda3"])]
    before = {m: sorted(p.name for p in tiny_zoo[m].iterdir()) for m in ("dcgan", "cyclegan-lambda3")}
    out_json = tmp_path / "other.json"
    assert evaluate_main([*models, *base, "--classifier-mnist", str(other), "--json", str(out_json)]) == 0
    captured = capsys.readouterr()
    apart = "read by other-reader instead of classifier-mnist: not the models' figures"
    assert f"### Generators (200 samples vs the MNIST test set; {apart})" in captured.out
    assert f"### Translators (test sets; {apart})" in captured.out
    assert "not written into model folders" in captured.err
    assert {m: sorted(p.name for p in tiny_zoo[m].iterdir()) for m in before} == before  # nothing written
    read = json.loads(out_json.read_text())["models"]
    assert read["dcgan"]["reader"] == "other-reader"
    assert read["cyclegan-lambda3"]["readers"] == {"mnist": "other-reader"}
    # the evaluator's own reader (the same weights, under its own name) writes the models' figures, unmarked
    assert evaluate_main([*models, *base, "--classifier-mnist", str(tiny_zoo["classifier-mnist"])]) == 0
    own = capsys.readouterr().out
    assert "### Generators (200 samples vs the MNIST test set)" in own and "not the models' figures" not in own
    assert "reader" not in json.loads((tiny_zoo["dcgan"] / "metrics.json").read_text())["metrics"]
    with pytest.raises(SystemExit) as stop:
        evaluate_main([*models, *base, "--classifier-mnist", str(other), "--readme", str(tmp_path / "R.md")])
    assert stop.value.code == 2 and "never go into a README" in capsys.readouterr().err


def test_evaluator_rewrites_readme_results_section(tiny_zoo, tiny_data, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Zoo\n\n## Results\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\n## After\n")
    training = {"command": "python -m train.dcgan --steps 7", "steps": 7, "wall_time_s": 120.0, "hardware": "1× CPU"}
    (tiny_zoo["dcgan"] / "training.json").write_text(json.dumps(training))
    names = [str(tiny_zoo[n]) for n in ("dcgan", "cyclegan-lambda10", "cyclegan-lambda3")]
    code = evaluate_main(
        [*names, "--samples", "100", "--data-dir", str(tiny_data), "--adaptation-steps", "0", "--no-write"]
        + [
            "--classifier-mnist",
            str(tiny_zoo["classifier-mnist"]),
            "--classifier-usps",
            str(tiny_zoo["classifier-usps"]),
        ]
        + ["--readme", str(readme)]
    )
    assert code == 0
    text = readme.read_text()
    assert "old" not in text and text.startswith("# Zoo") and text.endswith("## After\n")
    assert text.index("| cyclegan-lambda3 | 3 |") < text.index("| cyclegan-lambda10 | 10 |")  # sorted by λ
    assert "| dcgan | `python -m train.dcgan --steps 7` | 7 | 2 min | 1× CPU |" in text
    assert "![λ sweep](docs/lambda-sweep.svg)" in text
    svg = (tmp_path / "docs" / "lambda-sweep.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<polyline") == 4  # two accuracy and two cycle-error series


def test_readme_from_recorded_figures_measures_nothing(tiny_zoo, tiny_data, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# Zoo\n\n<!-- results:start -->\nold\n<!-- results:end -->\n")
    names = [str(tiny_zoo[n]) for n in ("dcgan", "cyclegan-lambda10")]
    readers = [
        "--classifier-mnist",
        str(tiny_zoo["classifier-mnist"]),
        "--classifier-usps",
        str(tiny_zoo["classifier-usps"]),
    ]
    assert (
        evaluate_main([*names, "--samples", "100", "--data-dir", str(tiny_data), "--adaptation-steps", "0", *readers])
        == 0
    )
    measured = json.loads((tiny_zoo["dcgan"] / "metrics.json").read_text())
    # a figure changed on disk shows in the README: it is read from metrics.json, not measured again
    measured["metrics"]["inception_score"] = 7.654321
    (tiny_zoo["dcgan"] / "metrics.json").write_text(json.dumps(measured))
    assert evaluate_main([*names, "--recorded", "--readme", str(readme), "--data-dir", str(tmp_path / "no-data")]) == 0
    text = readme.read_text()
    assert "old" not in text and "| dcgan |" in text and "7.65" in text and "| cyclegan-lambda10 | 10 |" in text
    assert f"on {measured['evaluated']}, as each model's `metrics.json` records them" in text
    (tiny_zoo["cyclegan-lambda10"] / "metrics.json").unlink()
    capsys.readouterr()
    assert evaluate_main([*names, "--recorded", "--readme", str(readme)]) == 2
    assert "no metrics.json in cyclegan-lambda10" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # nothing to rewrite
        evaluate_main([*names, "--recorded"])
    assert refused.value.code == 2


def test_generator_reference_is_sample_set_metrics_of_real_digits(tiny_zoo, tiny_data):
    """The reference row: the test digits read as samples, training digits for the Fréchet distance."""
    ev = Evaluator(tiny_data, 100, 0, 0, 64, tiny_zoo["classifier-mnist"], tiny_zoo["classifier-usps"])
    ref = ev.generator_reference()
    clf, test, train = ev.clf_mnist, ev.mnist_test, ev.mnist_train
    half = min(1000, len(test) // 2)
    probs = metrics.predict(clf, test)
    fd = metrics.frechet_distance(metrics.features(clf, train[:100]), metrics.features(clf, test))
    assert ref["kind"] == "reference" and ref["frechet_distance"] == pytest.approx(fd)
    assert ref["inception_score"] == pytest.approx(metrics.inception_score(probs))
    assert ref["copy_share"] == metrics.memorisation(test[:half], train, test[half : 2 * half])["copy_share"]
    assert list(ref)[:4] == ["kind", "frechet_distance", "inception_score", "class_histogram"]


def test_evaluator_imports_without_plotly():
    """The evaluator measures models where only torch is installed (a GPU image, a training box): plotly is needed
    only to redraw the README's λ-sweep chart, so importing the CLI must not need it."""
    import subprocess
    import sys

    blocked = "import sys; sys.modules['plotly'] = None; import zoo.evaluate, train.dcgan, train.wgan, train.otgan"
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
