"""Every entry point end to end on tiny data: a few steps, an exported model that loads, exact resume."""

from __future__ import annotations

import contextlib
import errno
import importlib
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import zoo
from train import loop
from zoo import card

REPO = Path(__file__).resolve().parent.parent
TINY = {
    "train.basic": ["--g-hidden", "32", "--d-hidden", "32", "16", "--lr-decay-from", "1"],
    "train.dcgan": ["--g-width", "8", "--d-width", "8"],
    "train.wgan": ["--g-width", "8", "--d-width", "8", "--n-critic", "2"],
    "train.otgan": ["--g-width", "4", "--d-width", "4", "--sinkhorn-iters", "20", "--n-gen", "1"],
    "train.cyclegan": ["--g-width", "4", "--n-blocks", "1", "--d-width", "4", "--pool-size", "4"],
    "train.classifier": ["--domain", "usps"],
}


def run_cli(module: str, data: Path, out: Path, *extra: str) -> Path:
    argv = ["--data-dir", str(data), "--out", str(out), "--batch-size", "8", "--log-every", "1", *TINY[module], *extra]
    return importlib.import_module(module).cli(argv)


def read_log(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / loop.METRICS_LOG).read_text().splitlines()]


def logged_losses(out: Path) -> list[dict]:
    """A run's logged figures at every step, timings aside (what two identical runs share)."""
    return [{k: v for k, v in r.items() if k not in ("images_per_s", "wall_time")} for r in read_log(out)]


def assert_same_run(out: Path, reference: Path) -> None:
    """The same losses at every step (timings aside) and bit-identical exported weights."""
    assert logged_losses(out) == logged_losses(reference)
    a = zoo.load(reference / "model").state_dict()
    b = zoo.load(out / "model").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


@contextlib.contextmanager
def crash_at_step(monkeypatch, module: str, step: int):
    """Within the block, ``module``'s runs raise "simulated crash" at training step ``step`` (a kill, as the run
    sees it: its last checkpoint and log lines stay)."""
    mod = importlib.import_module(module)
    real_build = mod.build

    def build_then_crash(args, rt):
        recipe = real_build(args, rt)
        real_step = recipe.step

        def crashing_step(i, draw):
            if i == step:
                raise RuntimeError("simulated crash")
            return real_step(i, draw)

        recipe.step = crashing_step
        return recipe

    with monkeypatch.context() as patch:
        patch.setattr(mod, "build", build_then_crash)
        yield


@pytest.fixture(autouse=True)
def _fast_wgan(monkeypatch):
    # 100 critic steps for each of the first 25 generator steps would make every tiny run slow
    import train.wgan

    monkeypatch.setattr(train.wgan, "WARMUP_CRITIC_ITERS", 3)


@pytest.mark.parametrize("module", list(TINY))
def test_entrypoint_trains_and_exports(module, tiny_data, tmp_path):
    out = tmp_path / "run"
    folder = run_cli(module, tiny_data, out, "--steps", "4", "--sample-every", "2")
    model = zoo.load(folder)
    assert not model.training
    log = read_log(out)
    assert [r["step"] for r in log] == [1, 2, 3, 4]
    assert all(r["images_per_s"] > 0 and r["wall_time"] >= 0 for r in log)
    info = json.loads((folder / loop.TRAINING_INFO).read_text())
    assert info["steps"] == 4 and info["seed"] == 0 and module in info["command"]
    assert (folder / loop.TRAINING_LOG).is_file()
    if module == "train.classifier":
        assert 0 <= info["results"]["test_accuracy"] <= 1
        assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    else:
        assert (out / "samples" / "step_0000002.png").is_file() and (folder / "samples.png").is_file()
    if isinstance(model, zoo.Generator):
        assert model.sample(3, seed=1).shape == (3, 1, 28, 28)
    if isinstance(model, zoo.CycleGAN):
        assert model.mnist_to_usps(torch.zeros(2, 1, 28, 28)).shape == (2, 1, 28, 28)


@pytest.mark.parametrize("module", ["train.dcgan", "train.wgan", "train.otgan", "train.cyclegan"])
def test_resume_after_a_crash_replays_the_same_run(module, tiny_data, tmp_path, monkeypatch):
    straight = tmp_path / "straight"
    run_cli(module, tiny_data, straight, "--steps", "6", "--ckpt-every", "3")

    crashed = tmp_path / "crashed"
    with crash_at_step(monkeypatch, module, 4), pytest.raises(RuntimeError, match="simulated crash"):
        run_cli(module, tiny_data, crashed, "--steps", "6", "--ckpt-every", "3")
    assert [r["step"] for r in read_log(crashed)] == [1, 2, 3, 4]
    with pytest.raises(SystemExit, match="--resume"):  # never overwrite a run by accident
        run_cli(module, tiny_data, crashed, "--steps", "6")
    run_cli(module, tiny_data, crashed, "--steps", "6", "--resume")
    assert_same_run(crashed, straight)


def test_export_only_writes_the_checkpoints_model_and_leaves_the_run_as_it_was(tiny_data, tmp_path, monkeypatch):
    # a run stopped at step 4 whose last checkpoint is step 3, as a run in progress looks from outside
    run = tmp_path / "run"
    constant = ("--lr-decay-from", "1", "--ckpt-every", "3")
    with crash_at_step(monkeypatch, "train.dcgan", 4), pytest.raises(RuntimeError, match="simulated crash"):
        run_cli("train.dcgan", tiny_data, run, "--steps", "6", *constant)
    checkpoint, log = (run / loop.CHECKPOINT).read_bytes(), (run / loop.METRICS_LOG).read_text()
    assert [r["step"] for r in read_log(run)] == [1, 2, 3, 4]

    folder = run_cli("train.dcgan", tiny_data, run, "--steps", "6", *constant, "--export-only")
    info = json.loads((folder / loop.TRAINING_INFO).read_text())
    assert info["steps"] == 3 and "--export-only" in info["command"]
    assert [json.loads(line)["step"] for line in (folder / "training_log.jsonl").read_text().splitlines()] == [1, 2, 3]
    assert (folder / "samples.png").is_file()
    # nothing of the run itself changed: its checkpoint, and its log past the checkpoint (a live run's)
    assert (run / loop.CHECKPOINT).read_bytes() == checkpoint and (run / loop.METRICS_LOG).read_text() == log
    # the exported model is the one a run of 3 steps at the same (constant) rates exports
    three = run_cli("train.dcgan", tiny_data, tmp_path / "three", "--steps", "3", *constant)
    a, b = zoo.load(three).state_dict(), zoo.load(folder).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    # and the run resumes as if nothing had looked at it
    run_cli("train.dcgan", tiny_data, run, "--steps", "6", *constant, "--resume")
    run_cli("train.dcgan", tiny_data, tmp_path / "straight", "--steps", "6", *constant)
    assert_same_run(run, tmp_path / "straight")


def test_an_out_folder_that_cannot_hold_a_run_is_one_clear_line(tiny_data, tmp_path, capsys, monkeypatch):
    """--out is checked before any data loads, by making a folder where the run would go (permission bits do not
    say everything: under /proc, on a read-only mount, or as root), and a refused --out leaves nothing behind."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a run")
    read_only = tmp_path / "read-only"
    read_only.mkdir()

    def refuse(*args, dir=None, **kwargs):
        if Path(dir) == read_only:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkdtemp(*args, dir=dir, **kwargs)

    real_mkdtemp = loop.tempfile.mkdtemp
    monkeypatch.setattr(loop.tempfile, "mkdtemp", refuse)
    for out, message in [
        (a_file, "is a file, not a folder"),
        (a_file / "run", "a-file is a file"),
        (read_only / "runs" / "dcgan", "is not writable: " + str(read_only) + ": Read-only file system"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            run_cli("train.dcgan", tiny_data, out, "--steps", "1")
        err = capsys.readouterr().err.strip()
        assert exit_info.value.code == 2 and message in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "read-only"]
    assert list(read_only.iterdir()) == []


def test_export_only_without_a_checkpoint_is_one_clear_line(tiny_data, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("train.dcgan", tiny_data, tmp_path / "none", "--export-only")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "--export-only" in err and "no checkpoint.pt" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "none").exists()


def test_a_resume_may_add_a_decay_that_starts_after_its_checkpoint(tiny_data, tmp_path):
    # a constant-rate run resumed with --lr-decay-from is, bit for bit, the run that had the decay from the start
    straight = tmp_path / "straight"
    run_cli("train.dcgan", tiny_data, straight, "--steps", "10", "--ckpt-every", "3", "--lr-decay-from", "0.6")
    later = tmp_path / "later"
    run_cli("train.dcgan", tiny_data, later, "--steps", "6", "--ckpt-every", "3", "--lr-decay-from", "1")
    run_cli("train.dcgan", tiny_data, later, "--steps", "10", "--lr-decay-from", "0.6", "--resume")
    assert_same_run(later, straight)
    info = json.loads((later / "model" / loop.TRAINING_INFO).read_text())
    assert info["arguments"]["lr_decay_from"] == 0.6 and info["arguments"]["steps"] == 10


def test_a_decaying_otgan_run_does_not_warn_about_its_schedule(tiny_data, tmp_path, recwarn):
    # its critic sits out the first step; the schedule counts training steps, so torch's warning would mislead
    run_cli("train.otgan", tiny_data, tmp_path / "run", "--steps", "4", "--lr-decay-from", "0.5")
    assert not [w for w in recwarn if "lr_scheduler.step()" in str(w.message)]


def test_a_resume_refuses_to_change_rates_it_already_used(tiny_data, tmp_path):
    out = tmp_path / "run"
    run_cli("train.dcgan", tiny_data, out, "--steps", "6", "--ckpt-every", "3", "--lr-decay-from", "0.5")
    # decaying since step 3: more steps would stretch a decay half done
    with pytest.raises(SystemExit, match="already decay towards step 6") as exit_info:
        run_cli("train.dcgan", tiny_data, out, "--steps", "8", "--lr-decay-from", "0.5", "--resume")
    assert exit_info.value.code == 2
    constant = tmp_path / "constant"
    run_cli("train.dcgan", tiny_data, constant, "--steps", "6", "--ckpt-every", "3", "--lr-decay-from", "1")
    # a decay from step 4 of 8 would have lowered the rates of steps 5 and 6, which ran at the base rate
    with pytest.raises(SystemExit, match="--lr-decay-from 1.0 → 0.5"):
        run_cli("train.dcgan", tiny_data, constant, "--steps", "8", "--lr-decay-from", "0.5", "--resume")


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / loop.CHECKPOINT
    loop.atomic_save({"step": 1}, path)

    def dies_mid_write(obj, f):
        Path(f).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", dies_mid_write)
    with pytest.raises(KeyboardInterrupt):
        loop.atomic_save({"step": 2}, path)
    assert torch.load(path, weights_only=True) == {"step": 1}


def test_non_finite_loss_stops_and_keeps_checkpoint(tiny_data, tmp_path, monkeypatch):
    import train.dcgan as mod

    real_build = mod.build

    def build_nan(args, rt):
        recipe = real_build(args, rt)
        real_step = recipe.step
        recipe.step = lambda i, draw: {**real_step(i, draw), "loss_d": float("nan") if i == 3 else 0.0}
        return recipe

    monkeypatch.setattr(mod, "build", build_nan)
    out = tmp_path / "nan"
    with pytest.raises(SystemExit, match=r"non-finite loss at step 3.*step 2"):
        run_cli("train.dcgan", tiny_data, out, "--steps", "6", "--ckpt-every", "2")
    assert torch.load(out / loop.CHECKPOINT, weights_only=True)["step"] == 2
    assert not (out / "model").exists()


def test_wgan_schedule_and_clipping(tiny_data, tmp_path, monkeypatch):
    import train.wgan as mod

    assert [mod.critic_iterations(i, 5) for i in (0, 24, 25, 26, 499, 500, 501, 1000)] == [
        3,
        3,
        5,
        5,
        5,
        3,
        5,
        3,  # the warm-up count is patched to 3 in these tests
    ]
    monkeypatch.setattr(mod, "WARMUP_CRITIC_ITERS", 100)
    assert mod.critic_iterations(0) == 100 and mod.critic_iterations(25) == 5 and mod.critic_iterations(1500) == 100

    monkeypatch.setattr(mod, "WARMUP_GEN_ITERS", 1)
    monkeypatch.setattr(mod, "WARMUP_CRITIC_ITERS", 4)
    draws, clipped = [], []
    real_build = mod.build

    def build_counting(args, rt):
        recipe = real_build(args, rt)
        real_step, critic = recipe.step, recipe.nets["critic"]

        def step(i, draw):
            count = [0]

            def counting_draw():
                count[0] += 1
                return draw()

            result = real_step(i, counting_draw)
            draws.append(count[0])
            clipped.append(critic.weights_within(args.clip))
            return result

        recipe.step = step
        return recipe

    monkeypatch.setattr(mod, "build", build_counting)
    run_cli("train.wgan", tiny_data, tmp_path / "w", "--steps", "4", "--n-critic", "2", "--clip", "0.005")
    assert draws == [4, 2, 2, 2]
    assert all(clipped)
    assert all(
        json.loads(line)["wasserstein"] == json.loads(line)["wasserstein"]
        for line in (tmp_path / "w" / loop.METRICS_LOG).read_text().splitlines()
    )


def test_otgan_schedule_updates_the_right_network(tiny_data, tmp_path, monkeypatch):
    import train.otgan as mod

    assert [mod.updates_critic(i, 3) for i in range(9)] == [True, False, False, False, True, False, False, False, True]
    assert [mod.updates_critic(i, 1) for i in range(4)] == [True, False, True, False]
    changed = []
    real_build = mod.build

    def build_watching(args, rt):
        recipe = real_build(args, rt)
        real_step = recipe.step

        def step(i, draw):
            before = {k: [p.detach().clone() for p in net.parameters()] for k, net in recipe.nets.items()}
            result = real_step(i, draw)
            changed.append(
                {
                    k
                    for k, net in recipe.nets.items()
                    if any(not torch.equal(a, p) for a, p in zip(before[k], net.parameters(), strict=True))
                }
            )
            return result

        recipe.step = step
        return recipe

    monkeypatch.setattr(mod, "build", build_watching)
    run_cli("train.otgan", tiny_data, tmp_path / "o", "--steps", "6", "--n-gen", "2")
    assert changed == [{"critic"}, {"generator"}, {"generator"}, {"critic"}, {"generator"}, {"generator"}]


def test_image_pool_returns_old_images_half_the_time_each_with_its_class():
    from train.cyclegan import ImagePool

    torch.manual_seed(0)
    pool = ImagePool(size=4)
    first = torch.arange(4.0).view(4, 1, 1, 1)
    images, classes = pool.query(first, torch.arange(4))
    assert torch.equal(images, first) and torch.equal(classes, torch.arange(4))  # filling up: pass-through
    new = torch.arange(100.0, 1100.0).view(1000, 1, 1, 1)
    out, out_classes = pool.query(new, torch.arange(100, 1100))
    old_share = (out != new).float().mean().item()
    assert set(out.flatten().tolist()) <= set(new.flatten().tolist()) | {0.0, 1.0, 2.0, 3.0}
    assert 0.35 < old_share < 0.65
    assert torch.equal(out.flatten().long(), out_classes)  # an old image comes back with the class it was made as
    state = pool.state_dict()
    clone = ImagePool(4)
    clone.load_state_dict(state)
    assert torch.equal(clone.images, pool.images) and torch.equal(clone.labels, pool.labels) and clone.count == 4
    del state["labels"]  # a checkpoint written before the pool kept classes still resumes
    clone.load_state_dict(state)
    assert torch.equal(clone.images, pool.images) and clone.labels.tolist() == [-1] * 4


def test_cyclegan_lr_decays_linearly_over_second_half():
    from train.common import linear_decay

    f = linear_decay(100)
    assert f(0) == f(50) == 1.0
    assert 0.45 < f(75) < 0.55 and 0 < f(99) < 0.05


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "positive integer"),
        (["--device", "tpu"], "invalid choice"),
        (["--lambda-cycle", "ten"], "expected a number >= 0"),
        (["--lambda-cycle", "-1"], "expected a number >= 0"),
        (["--lambda-identity", "nan"], "expected a number >= 0"),
        (["--semantic-weight", "-0.5"], "expected a number >= 0"),
        (["--precision", "fp8"], "invalid choice"),
        (["--beta1", "5"], "expected a number in [0, 1)"),
        (["--seed", str(2**70)], "expected an integer in [0, 2^31)"),
        (["--pool-size", "-3"], "expected an integer >= 0"),
        ([], "required: --out"),
    ],
)
def test_bad_arguments_are_clear(args, message, tmp_path, capsys):
    import train.cyclegan

    if message != "required: --out":
        args = [*args, "--out", str(tmp_path / "x")]
    with pytest.raises(SystemExit) as exit_info:
        train.cyclegan.cli(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # nothing written for a rejected command


def _judge(folder: Path) -> Path:
    torch.manual_seed(3)
    zoo.DigitClassifier("mnist", width=4, feature_dim=16).eval().save_pretrained(folder)
    return folder


def test_cyclegan_semantic_loss_reads_mnist_labels_only_and_keeps_its_judge_frozen(tiny_data, tmp_path, monkeypatch):
    import train.cyclegan as cg

    judge_dir = _judge(tmp_path / "judge")
    judges = []
    real_frozen, real_usps, real_mnist = cg.frozen_classifier, cg.usps_train, cg.mnist_train
    monkeypatch.setattr(cg, "frozen_classifier", lambda *a: judges.append(real_frozen(*a)) or judges[-1])

    def run(name, usps_labels=None, mnist_labels=None, *extra):
        if usps_labels:
            monkeypatch.setattr(cg, "usps_train", lambda args: (real_usps(args)[0], usps_labels(real_usps(args)[1])))
        if mnist_labels:
            monkeypatch.setattr(
                cg, "mnist_train", lambda args: (real_mnist(args)[0], mnist_labels(real_mnist(args)[1]))
            )
        out = tmp_path / name
        run_cli(
            "train.cyclegan",
            tiny_data,
            out,
            "--steps",
            "3",
            "--semantic-weight",
            "1",
            "--semantic-classifier",
            str(judge_dir),
            *extra,
        )
        monkeypatch.setattr(cg, "usps_train", real_usps)
        monkeypatch.setattr(cg, "mnist_train", real_mnist)
        return [{k: v for k, v in r.items() if k not in ("images_per_s", "wall_time")} for r in read_log(out)]

    plain = run("plain")
    assert all(r["semantic"] > 0 for r in plain)
    assert run("usps-labels-scrambled", usps_labels=lambda y: (y * 7 + 3) % 10) == plain  # never read
    assert run("mnist-labels-shifted", mnist_labels=lambda y: (y + 1) % 10) != plain  # read and used
    saved = zoo.load(judge_dir).state_dict()
    for judge in judges:
        assert not judge.training and not any(p.requires_grad for p in judge.parameters())
        assert all(torch.equal(judge.state_dict()[k], saved[k]) for k in saved)  # unchanged after the steps
    config = json.loads((tmp_path / "plain" / "model" / "config.json").read_text())
    assert config["semantic_weight"] == 1.0 and config["semantic_classifier"] == [str(judge_dir)]
    assert config["semantic_pseudo"] == "as-is"
    plain_config = config

    # USPS digits named once by the judges' reading of them shrunk into MNIST's box, still never by their labels.
    # The names are what F's loss uses: other names, another loss
    read = []
    real_read_all = cg.read_all
    monkeypatch.setattr(cg, "read_all", lambda judges, images: read.append(images) or real_read_all(judges, images))
    boxed = run("boxed", None, None, "--semantic-pseudo", "mnist-box")
    usps_images = zoo.data.load_usps("train", tiny_data)[0]
    assert len(read) == 1 and torch.equal(read[0], zoo.data.in_mnist_box(usps_images))
    monkeypatch.setattr(cg, "read_all", lambda judges, images: torch.arange(len(images)) % 10)
    assert run("boxed-named-otherwise", None, None, "--semantic-pseudo", "mnist-box") != boxed
    monkeypatch.setattr(cg, "read_all", real_read_all)
    scrambled = run("boxed-scrambled", lambda y: (y * 7 + 3) % 10, None, "--semantic-pseudo", "mnist-box")
    assert scrambled == boxed
    config = json.loads((tmp_path / "boxed" / "model" / "config.json").read_text())
    assert config["semantic_pseudo"] == "mnist-box"
    assert "shrunk into MNIST's 20×20 box" in card.card_text(tmp_path / "boxed" / "model")

    # --semantic-frame mnist-box: the judges read G(x) shrunk into MNIST's box; the box is the only difference
    framed = run("framed", None, None, "--semantic-frame", "mnist-box")
    assert framed != plain
    real_in_mnist_box = cg.in_mnist_box
    monkeypatch.setattr(cg, "in_mnist_box", lambda images: images)
    assert run("framed-unboxed", None, None, "--semantic-frame", "mnist-box") == plain
    monkeypatch.setattr(cg, "in_mnist_box", real_in_mnist_box)
    config = json.loads((tmp_path / "framed" / "model" / "config.json").read_text())
    assert config["semantic_frame"] == "mnist-box" and plain_config["semantic_frame"] == "as-is"
    assert "G(x), shrunk into MNIST's 20×20 box, as the MNIST label" in card.card_text(tmp_path / "framed" / "model")


def test_cyclegan_semantic_loss_refuses_the_evaluators_classifier(tiny_data, tmp_path, monkeypatch):
    import train.cyclegan as cg

    weights = tmp_path / "weights"
    _judge(weights / "classifier-mnist")
    monkeypatch.setenv("GAN_ZOO_WEIGHTS", str(weights))
    for name in ("classifier-mnist", str(weights / "classifier-mnist")):
        with pytest.raises(SystemExit, match="must not be the evaluator's classifier-mnist"):
            run_cli(
                "train.cyclegan",
                tiny_data,
                tmp_path / "r",
                "--steps",
                "1",
                "--semantic-weight",
                "1",
                "--semantic-classifier",
                name,
            )
    with pytest.raises(SystemExit, match="--semantic-classifier nowhere"):
        run_cli(
            "train.cyclegan",
            tiny_data,
            tmp_path / "r",
            "--steps",
            "1",
            "--semantic-weight",
            "1",
            "--semantic-classifier",
            "nowhere",
        )
    assert cg.DEFAULTS["steps"] > 0


@pytest.mark.parametrize(
    ("extra", "identity"), [([], 0.0), (["--lambda-identity", "5"], 5.0), (["--lambda-identity", "0.5"], 0.5)]
)
def test_cyclegan_identity_weight_is_independent_of_lambda_when_given(extra, identity, tiny_data, tmp_path):
    out = tmp_path / "run"
    folder = run_cli("train.cyclegan", tiny_data, out, "--steps", "2", "--lambda-cycle", "10", *extra)
    config = json.loads((folder / "config.json").read_text())
    assert config["lambda_cycle"] == 10.0 and config["lambda_identity"] == identity
    assert all((r["identity"] == 0) == (identity == 0) for r in read_log(out))
    assert zoo.load(folder).lambda_identity == identity


def test_cyclegan_weight_average_only_watches_the_training(tiny_data, tmp_path):
    """--ema exports an average of the generators' weights without changing a single training step."""
    plain = run_cli("train.cyclegan", tiny_data, tmp_path / "plain", "--steps", "3")
    averaged = run_cli("train.cyclegan", tiny_data, tmp_path / "ema", "--steps", "3", "--ema", "0.9")
    assert logged_losses(tmp_path / "plain") == logged_losses(tmp_path / "ema")
    a, b = zoo.load(plain).state_dict(), zoo.load(averaged).state_dict()
    assert a.keys() == b.keys() and not all(torch.equal(a[k], b[k]) for k in a)
    assert json.loads((averaged / loop.TRAINING_INFO).read_text())["arguments"]["ema"] == 0.9


def test_missing_data_is_a_clear_error(tmp_path):
    env = {**os.environ, "GAN_ZOO_DATA": str(tmp_path / "nothing")}
    result = subprocess.run(
        [sys.executable, "-m", "train.dcgan", "--out", str(tmp_path / "r"), "--data-dir", str(tmp_path / "none")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 2
    assert "MNIST not found" in result.stderr and str(tmp_path / "none") in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_common_and_model_arguments(capsys):
    import train.otgan

    with pytest.raises(SystemExit) as exit_info:
        train.otgan.cli(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for flag in (
        "--data-dir",
        "--out",
        "--steps",
        "--batch-size",
        "--seed",
        "--device",
        "--resume",
        "--sample-every",
        "--n-gen",
        "--epsilon",
    ):
        assert flag in out


@pytest.mark.slow
@pytest.mark.parametrize("module", ["train.dcgan", "train.cyclegan"])
def test_torchrun_two_cpu_processes(module, tiny_data, tmp_path):
    out = tmp_path / "ddp"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "-m",
            module,
            "--data-dir",
            str(tiny_data),
            "--out",
            str(out),
            "--steps",
            "3",
            "--batch-size",
            "4",
            "--device",
            "cpu",
            "--log-every",
            "1",
            *TINY[module],
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    info = json.loads((out / "model" / loop.TRAINING_INFO).read_text())
    assert info["world_size"] == 2 and info["command"].startswith("torchrun --nproc_per_node=2")
    assert [r["step"] for r in read_log(out)] == [1, 2, 3]
    zoo.load(out / "model")


def test_ema_warms_up_then_averages():
    net = torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(net.weight)
    ema = loop.EMA(net, decay=0.999)
    with torch.no_grad():
        net.weight.fill_(1.0)
    ema.update(net)
    assert ema.model.weight.item() == pytest.approx(1 - 2 / 11)  # early: mostly the live weights
    for _ in range(10_000):
        ema.update(net)
    assert ema.model.weight.item() == pytest.approx(1.0, abs=1e-3)
    restored = loop.EMA(net, 0.999)
    restored.load_state_dict(ema.state_dict())
    assert restored.updates == ema.updates and torch.equal(restored.model.weight, ema.model.weight)


@pytest.mark.parametrize("module", ["train.basic", "train.wgan", "train.otgan", "train.cyclegan", "train.classifier"])
def test_bf16_precision_trains_and_exports_fp32_weights(module, tiny_data, tmp_path):
    out = tmp_path / "run"
    folder = run_cli(module, tiny_data, out, "--steps", "3", "--precision", "bf16")
    assert all(math.isfinite(v) for r in read_log(out) for v in r.values())
    model = zoo.load(folder)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert json.loads((folder / loop.TRAINING_INFO).read_text())["arguments"]["precision"] == "bf16"


@pytest.mark.parametrize("module", ["train.basic", "train.dcgan", "train.cyclegan"])
def test_a_generator_is_stored_in_half_precision_and_samples_as_trained(module, tiny_data, tmp_path):
    from safetensors.torch import load_file

    out = tmp_path / "run"
    folder = run_cli(module, tiny_data, out, "--steps", "2", "--precision", "fp32")
    model = zoo.load(folder)
    stored = {t.dtype for t in load_file(folder / "model.safetensors").values() if t.is_floating_point()}
    assert stored == ({torch.float16} if model.kind == "generator" else {torch.float32})  # translators keep fp32
    assert all(p.dtype == torch.float32 for p in model.parameters())  # loading casts back
    state = torch.load(out / loop.CHECKPOINT, weights_only=True)
    trained = zoo.load(folder)
    nets = [n for n in state["nets"].values() if n.keys() == model.state_dict().keys()]
    trained.load_state_dict(state["ema"]["model"] if state["ema"] else nets[0])
    if model.kind == "generator":
        z = model.latent(16, seed=0)
        with torch.no_grad():
            assert (model(z) - trained(z)).abs().max() < 1e-2  # what the folder samples is what was trained
    else:
        assert all(
            torch.equal(a, b) for a, b in zip(model.state_dict().values(), trained.state_dict().values(), strict=True)
        )


@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_is_bf16_only_where_the_hardware_computes_it(native, tiny_data, tmp_path, monkeypatch):
    monkeypatch.setattr(loop, "bf16_is_native", lambda device: native)
    folder = run_cli("train.basic", tiny_data, tmp_path / "run", "--steps", "1")  # the trainer's default: auto
    recorded = json.loads((folder / loop.TRAINING_INFO).read_text())["arguments"]["precision"]
    assert recorded == ("bf16" if native else "fp32")


def test_a_resume_under_auto_precision_keeps_the_runs_own(tiny_data, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    run_cli("train.basic", tiny_data, out, "--steps", "2", "--ckpt-every", "1", "--precision", "bf16")
    monkeypatch.setattr(loop, "bf16_is_native", lambda device: False)  # resumed on a machine without bf16
    folder = run_cli("train.basic", tiny_data, out, "--steps", "3", "--resume")
    assert json.loads((folder / loop.TRAINING_INFO).read_text())["arguments"]["precision"] == "bf16"
    assert "bf16 autocast is emulated" in capsys.readouterr().err  # and the user learns why it is slow
    with pytest.raises(SystemExit, match="--precision bf16 → fp32"):  # asked for explicitly, it must match
        run_cli("train.basic", tiny_data, out, "--steps", "4", "--resume", "--precision", "fp32")


def test_the_recorded_hardware_names_the_cpu_and_its_vector_instructions(monkeypatch):
    monkeypatch.setattr(loop, "bf16_is_native", lambda device: True)
    monkeypatch.setattr(loop, "cpu_name", lambda: "AMD EPYC 9654")
    text = loop.hardware(loop.Runtime(torch.device("cpu")))
    assert text.startswith("1× CPU (AMD EPYC 9654, ") and torch.backends.cpu.get_cpu_capability() in text
    assert "BF16" in text
    monkeypatch.setattr(loop, "has_amx", lambda: True)
    assert "BF16 + AMX" in loop.hardware(loop.Runtime(torch.device("cpu")))
    monkeypatch.setattr(loop, "has_amx", lambda: False)
    assert "AMX" not in loop.hardware(loop.Runtime(torch.device("cpu")))


def test_bf16_is_native_reads_a_failing_probe_as_no(monkeypatch):
    assert isinstance(loop.bf16_is_native("cpu"), bool)

    def broken() -> bool:
        raise RuntimeError("no such probe in this torch")

    for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        monkeypatch.setattr(torch.cpu, probe, broken, raising=False)
    monkeypatch.setattr(loop.platform, "machine", lambda: "x86_64")
    assert loop.bf16_is_native("cpu") is False


@pytest.mark.parametrize("module", ["train.dcgan", "train.wgan", "train.otgan", "train.cyclegan", "train.classifier"])
def test_channels_last_is_the_same_arithmetic_and_exports_the_standard_layout(module, tiny_data, tmp_path):
    fp32 = ["--steps", "3", "--precision", "fp32"]
    run_cli(module, tiny_data, tmp_path / "plain", *fp32)
    nhwc = run_cli(module, tiny_data, tmp_path / "nhwc", *fp32, "--channels-last")
    for a, b in zip(logged_losses(tmp_path / "plain"), logged_losses(tmp_path / "nhwc"), strict=True):
        assert a.keys() == b.keys() and all(b[k] == pytest.approx(a[k], rel=1e-4, abs=1e-6) for k in a)
    state = torch.load(tmp_path / "nhwc" / loop.CHECKPOINT, weights_only=True)
    trained = [t for net in state["nets"].values() for t in net.values() if t.dim() == 4]
    assert trained and all(t.is_contiguous(memory_format=torch.channels_last) for t in trained)  # it did train NHWC
    exported = zoo.load(nhwc).state_dict()
    assert all(t.is_contiguous() for t in exported.values())
    # the exported weights are the trained ones (a generator's stored in half precision), in the standard layout
    final = (
        state["ema"]["model"]
        if state["ema"]
        else next(n for n in state["nets"].values() if n.keys() == exported.keys())
    )
    stored = torch.float16 if zoo.load(nhwc).kind == "generator" else torch.float32
    assert all(torch.equal(exported[k], final[k].to(stored).to(final[k].dtype)) for k in exported)
    if (nhwc / "discriminator").exists():
        assert zoo.load(nhwc / "discriminator") is not None


def test_channels_last_may_change_when_a_run_resumes(tiny_data, tmp_path):
    out = tmp_path / "run"
    constant = ["--lr-decay-from", "1"]  # so that --steps may grow
    run_cli("train.dcgan", tiny_data, out, "--steps", "2", "--ckpt-every", "1", "--channels-last", *constant)
    folder = run_cli("train.dcgan", tiny_data, out, "--steps", "3", "--resume", *constant)
    assert read_log(out)[-1]["step"] == 3
    assert json.loads((folder / loop.TRAINING_INFO).read_text())["arguments"]["channels_last"] is False


def test_compile_keeps_checkpoints_and_exports_plain(tiny_data, tmp_path):
    out = tmp_path / "run"
    folder = run_cli("train.basic", tiny_data, out, "--steps", "2", "--compile", "--ckpt-every", "1")
    assert all(math.isfinite(v) for r in read_log(out) for v in r.values())
    state = torch.load(out / loop.CHECKPOINT, weights_only=True)
    assert not any("_orig_mod" in k for net in state["nets"].values() for k in net)
    assert not any("_orig_mod" in k for k in zoo.load(folder).state_dict())


def test_resume_refuses_other_settings_and_records_the_truth(tiny_data, tmp_path, capsys):
    out = tmp_path / "run"
    constant = ["--lr-decay-from", "1"]  # CycleGAN decays from half way by default: --steps could not change then
    run_cli("train.cyclegan", tiny_data, out, "--steps", "2", "--ckpt-every", "1", *constant)
    ran = torch.load(out / loop.CHECKPOINT, weights_only=True)["arguments"]["precision"]  # auto, made concrete
    other = {"fp32": "bf16", "bf16": "fp32"}[ran]
    for extra, named in [
        (["--lr", "1e-3"], "--lr 0.0002 → 0.001"),
        (["--seed", "1"], "--seed 0 → 1"),
        (["--lambda-cycle", "3"], "--lambda-cycle 10.0 → 3.0"),
        (["--limit", "16"], "--limit None → 16"),
        (["--pool-size", "2"], "--pool-size 4 → 2"),
        (["--batch-size", "4"], "--batch-size 8 → 4"),
        (["--precision", other], f"--precision {ran} → {other}"),
    ]:
        with pytest.raises(SystemExit, match="cannot resume") as exit_info:
            run_cli("train.cyclegan", tiny_data, out, "--steps", "3", "--resume", *constant, *extra)
        assert exit_info.value.code == 2 and named in str(exit_info.value)
    with pytest.raises(SystemExit, match="--steps 1 is below the checkpoint's step 2"):
        run_cli("train.cyclegan", tiny_data, out, "--steps", "1", "--resume", *constant)
    assert "error: --steps 1 is below" in capsys.readouterr().err  # one line for the user, no traceback
    folder = run_cli(
        "train.cyclegan", tiny_data, out, "--steps", "3", "--resume", "--log-every", "2", "--threads", "1", *constant
    )
    info = json.loads((folder / loop.TRAINING_INFO).read_text())
    assert info["arguments"]["steps"] == 3 and info["arguments"]["lr"] == 0.0002
    assert json.loads((folder / "config.json").read_text())["lambda_cycle"] == 10.0


def test_a_checkpoint_from_before_an_argument_existed_resumes_at_its_default(tiny_data, tmp_path):
    out = tmp_path / "run"
    run_cli("train.cyclegan", tiny_data, out, "--steps", "4", "--ckpt-every", "1")
    ckpt = torch.load(out / loop.CHECKPOINT, weights_only=True)
    # arguments gained while runs were in flight
    for added in ("lr_decay_from", "semantic_pseudo", "semantic_frame", "d_conditional"):
        del ckpt["arguments"][added]
    for pool in ("pool_usps", "pool_mnist"):  # the pools kept no classes then
        del ckpt["state"][pool]["labels"]
    ckpt["step"] = 3  # decaying since step 2
    torch.save(ckpt, out / loop.CHECKPOINT)
    with pytest.raises(SystemExit, match="--lr-decay-from 0.5 → 0.75"):  # the default stands for what it ran with
        run_cli("train.cyclegan", tiny_data, out, "--steps", "4", "--resume", "--lr-decay-from", "0.75")
    run_cli("train.cyclegan", tiny_data, out, "--steps", "4", "--resume")
    assert read_log(out)[-1]["step"] == 4


def test_a_checkpoint_from_before_the_mlp_widths_existed_resumes_only_at_the_2014_sizes(tiny_data, tmp_path, capsys):
    import train.basic

    out = tmp_path / "run"
    small = ["--g-hidden", "256", "512", "1024", "--d-hidden", "1024", "512", "256"]
    common = ["--data-dir", str(tiny_data), "--out", str(out), "--batch-size", "8", "--lr-decay-from", "1"]
    train.basic.cli([*common, "--steps", "2", *small])
    ckpt = torch.load(out / loop.CHECKPOINT, weights_only=True)
    for added in ("g_hidden", "d_hidden"):  # a run from before the flags, when the MLPs had the 2014 sizes
        del ckpt["arguments"][added]
    torch.save(ckpt, out / loop.CHECKPOINT)
    resume = [*common, "--steps", "3", "--resume"]
    with pytest.raises(SystemExit):  # the trainer's defaults are now wider: refused in one line, not a crash
        train.basic.cli(resume)
    assert "--g-hidden [256, 512, 1024] → [512, 1024, 2048]" in capsys.readouterr().err
    train.basic.cli([*resume, *small])
    assert read_log(out)[-1]["step"] == 3


def test_a_run_from_before_the_mlp_gans_default_d_rate_resumes_with_its_own(tiny_data, tmp_path, capsys):
    import train.basic

    out = tmp_path / "run"
    common = ["--data-dir", str(tiny_data), "--out", str(out), "--batch-size", "8", "--lr-decay-from", "1"]
    train.basic.cli([*common, "--steps", "2", "--lr-d", "2e-4"])
    ckpt = torch.load(out / loop.CHECKPOINT, weights_only=True)
    ckpt["arguments"]["lr_d"] = None  # written before train.basic's default --lr-d: D ran at --lr (2e-4)
    torch.save(ckpt, out / loop.CHECKPOINT)
    resume = [*common, "--steps", "3", "--resume"]
    default = train.basic.DEFAULTS["lr_d"]
    assert default != 2e-4
    with pytest.raises(SystemExit):  # the default differs: refused in one line, naming the rate it ran at
        train.basic.cli(resume)
    assert f"--lr-d 0.0002 → {default}" in capsys.readouterr().err
    train.basic.cli([*resume, "--lr-d", "2e-4"])
    assert read_log(out)[-1]["step"] == 3


@pytest.mark.parametrize("module", ["train.basic", "train.dcgan", "train.wgan", "train.otgan"])
def test_an_unset_d_rate_is_the_generators_and_resumes_as_the_same_rate_named(module, tiny_data, tmp_path):
    out = tmp_path / "run"
    rates = ["--lr", "3e-4", "--lr-decay-from", "1"]
    run_cli(module, tiny_data, out, "--steps", "2", "--ckpt-every", "1", *rates, "--lr-d", "3e-4")
    ckpt = torch.load(out / loop.CHECKPOINT, weights_only=True)
    d_optimizer = next(opt for name, opt in ckpt["optimizers"].items() if name != "generator")
    assert {g["lr"] for g in d_optimizer["param_groups"]} == {3e-4}
    ckpt["arguments"]["lr_d"] = None  # the same run with --lr-d unset: D at --lr
    torch.save(ckpt, out / loop.CHECKPOINT)
    run_cli(module, tiny_data, out, "--steps", "3", *rates, "--lr-d", "3e-4", "--resume")
    assert read_log(out)[-1]["step"] == 3
    with pytest.raises(SystemExit):  # another rate is another run
        run_cli(module, tiny_data, out, "--steps", "4", *rates, "--lr-d", "1e-4", "--resume")


def test_damaged_log_line_does_not_block_resume(tiny_data, tmp_path):
    out = tmp_path / "run"
    run_cli("train.basic", tiny_data, out, "--steps", "2", "--ckpt-every", "1")
    log = out / loop.METRICS_LOG
    log.write_text(log.read_text() + "garbage\n" + '{"step": 3, "loss')  # a damaged line and a cut-off one
    run_cli("train.basic", tiny_data, out, "--steps", "4", "--resume")
    assert [r["step"] for r in read_log(out)] == [1, 2, 3, 4]


def test_unusable_checkpoints_and_outputs_get_one_line(tiny_data, tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    (out / loop.CHECKPOINT).write_bytes(b"")
    with pytest.raises(SystemExit, match="is empty \\(0 bytes\\)") as exit_info:
        run_cli("train.basic", tiny_data, out, "--steps", "2", "--resume")
    assert exit_info.value.code == 2
    (out / loop.CHECKPOINT).write_bytes(b"not a checkpoint")
    with pytest.raises(SystemExit, match="cannot read checkpoint .*16 bytes"):
        run_cli("train.basic", tiny_data, out, "--steps", "2", "--resume")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(SystemExit, match="is a file"):
        run_cli("train.basic", tiny_data, a_file, "--steps", "2")
    with pytest.raises(SystemExit, match="cannot be created"):
        run_cli("train.basic", tiny_data, a_file / "sub", "--steps", "2")
    with pytest.raises(SystemExit, match="--batch-size 1000 is larger than the 256 images") as exit_info:
        run_cli("train.basic", tiny_data, tmp_path / "big", "--steps", "2", "--batch-size", "1000")
    assert exit_info.value.code == 2


def test_full_disk_during_a_checkpoint_keeps_the_previous_one(tiny_data, tmp_path, monkeypatch):
    out = tmp_path / "run"
    run_cli("train.basic", tiny_data, out, "--steps", "2", "--ckpt-every", "1")
    real_save = torch.save

    def disk_full(obj, f, *a, **k):
        Path(f).write_bytes(b"partial")
        raise RuntimeError("[enforce fail at inline_container.cc:603] . unexpected pos 0 vs 64")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(SystemExit, match="could not write the checkpoint .*previous checkpoint .* is intact") as info:
        run_cli("train.basic", tiny_data, out, "--steps", "4", "--resume", "--ckpt-every", "1")
    assert info.value.code == 1
    monkeypatch.setattr(torch, "save", real_save)
    assert torch.load(out / loop.CHECKPOINT, weights_only=True)["step"] == 2
    assert not (out / (loop.CHECKPOINT + ".tmp")).exists()


def test_threads_are_capped_at_the_cpu_count(tiny_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    before = torch.get_num_threads()
    try:
        folder = run_cli("train.basic", tiny_data, tmp_path / "run", "--steps", "1", "--threads", "10000")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert "--threads 10000 is more than the 2 CPUs" in capsys.readouterr().err
    assert json.loads((folder / loop.TRAINING_INFO).read_text())["arguments"]["threads"] == 2


def test_progress_lines_when_output_is_not_a_terminal(tiny_data, tmp_path):
    env = {**os.environ, "GAN_ZOO_DATA": str(tiny_data)}
    result = subprocess.run(
        [sys.executable, "-m", "train.basic", "--out", str(tmp_path / "r"), "--steps", "3", "--batch-size", "8"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"step 3/3 \(100%\) · \d+ images/s · loss_d [\d.e+-]+ .* · ETA 0 s", result.stderr)


def test_help_shows_each_default_once(capsys):
    import train.cyclegan

    with pytest.raises(SystemExit):
        train.cyclegan.cli(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: all)" in out and "(default: None)" not in out and "(default: False)" not in out
    assert "(default: 0.0)" in out and "(default: 10000)" in out


# --- the discriminator beside the generator ---


@pytest.mark.parametrize(
    ("module", "arch"),
    [
        ("train.basic", "basic-discriminator"),
        ("train.dcgan", "dcgan-discriminator"),
        ("train.wgan", "wgan-critic"),
        ("train.otgan", "otgan-critic"),
    ],
)
def test_gan_export_writes_the_discriminator_and_the_command_rebuilds_it_from_a_checkpoint(
    module, arch, tiny_data, tmp_path
):
    from train.export_discriminator import main as export_discriminator
    from zoo import folder

    out = tmp_path / "run"
    model_dir = run_cli(module, tiny_data, out, "--steps", "3")
    exported = folder.discriminator_folder(model_dir)
    assert exported is not None and folder.read_config(exported)["arch"] == arch
    disc = zoo.load(exported)
    assert disc.kind == "discriminator" and arch not in zoo.list_models(model_dir.parent)
    ckpt = torch.load(out / loop.CHECKPOINT, weights_only=True)
    key = "discriminator" if module in ("train.basic", "train.dcgan") else "critic"
    for name, value in disc.state_dict().items():  # the trained weights, in half precision
        assert torch.allclose(value.float(), ckpt["nets"][key][name].float(), atol=1e-3, rtol=1e-3), name

    (model_dir / "training.json").unlink()  # an unfinished run: the trainer is recognised from its arguments
    again = export_discriminator([str(out), "--model-dir", str(tmp_path / "beside")])
    assert again == tmp_path / "beside" / "discriminator"
    assert folder.read_config(again) == folder.read_config(exported)
    for name, value in zoo.load(again).state_dict().items():
        assert torch.equal(value, disc.state_dict()[name]), name


def test_mlp_widths_reach_both_exported_folders_and_reject_nonsense(tiny_data, tmp_path, capsys):
    from zoo import folder

    model_dir = run_cli("train.basic", tiny_data, tmp_path / "run", "--steps", "1", "--g-hidden", "24", "40")
    assert folder.read_config(model_dir)["hidden"] == [24, 40]
    assert zoo.load(model_dir).sample(2, seed=0).shape == (2, 1, 28, 28)
    assert folder.read_config(folder.discriminator_folder(model_dir))["hidden"] == [32, 16]
    for bad in (["--g-hidden"], ["--d-hidden", "0"], ["--g-hidden", "wide"]):
        with pytest.raises(SystemExit) as exit_info:
            run_cli("train.basic", tiny_data, tmp_path / "bad", "--steps", "1", *bad)
        assert exit_info.value.code == 2
    assert "--d-hidden: expected a positive integer, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["train.dcgan", "train.wgan"])
def test_a_deeper_discriminator_reaches_its_exported_folder_and_rejects_other_depths(module, tiny_data, tmp_path):
    from zoo import folder

    model_dir = run_cli(module, tiny_data, tmp_path / "run", "--steps", "2", "--d-layers", "3")
    exported = folder.discriminator_folder(model_dir)
    assert folder.read_config(exported)["layers"] == 3
    disc = zoo.load(exported)
    assert disc(torch.zeros(2, 1, 28, 28)).shape == (2,)
    assert sum(isinstance(m, torch.nn.Conv2d) for m in disc.modules()) == 4  # three stride-2 convolutions, one logit
    with pytest.raises(SystemExit) as exit_info:
        run_cli(module, tiny_data, tmp_path / "bad", "--steps", "1", "--d-layers", "4")
    assert exit_info.value.code == 2


def test_top_k_keeps_the_best_scored_share_of_the_batch_and_anneals_it_per_epoch():
    from argparse import Namespace

    from train.common import most_real, top_k_schedule

    scores = torch.tensor([0.3, -2.0, 1.5, 0.1, -0.4, 2.2], requires_grad=True)
    assert most_real(scores, 1.0) is scores  # off: the batch as it is, so old runs replay bit for bit
    kept = most_real(scores, 0.5)
    assert sorted(kept.tolist()) == pytest.approx([0.3, 1.5, 2.2])
    kept.sum().backward()
    assert scores.grad.tolist() == [1, 0, 1, 0, 0, 1]  # the samples rated least real send G no gradient
    assert len(most_real(scores.detach(), 0.01)) == 1  # never an empty batch
    args = Namespace(batch_size=100, top_k_decay=0.9, top_k_min=0.5)
    fraction = top_k_schedule(args, n_images=1000)  # 10 steps per epoch
    assert [fraction(s) for s in (0, 10, 20)] == pytest.approx([1.0, 0.9, 0.81])
    assert fraction(10_000) == 0.5
    args.top_k_decay = 1.0
    assert fraction(10_000) == 1.0


@pytest.mark.parametrize("module", ["train.dcgan", "train.wgan"])
def test_top_k_training_updates_the_generator_from_the_samples_rated_most_real(
    module, tiny_data, tmp_path, monkeypatch, capsys
):
    trainer = importlib.import_module(module)
    calls = []

    def recording(scores, fraction):
        kept = most_real(scores, fraction)
        calls.append((round(fraction, 3), len(scores), len(kept)))
        return kept

    most_real = trainer.most_real
    monkeypatch.setattr(trainer, "most_real", recording)
    extra = ["--limit", "16", "--steps", "5", "--top-k-decay", "0.5", "--top-k-min", "0.25"]
    model_dir = run_cli(module, tiny_data, tmp_path / "run", *extra)  # batch 8 of 16 images: 2 steps per epoch
    assert calls == [(1.0, 8, 8), (0.707, 8, 6), (0.5, 8, 4), (0.354, 8, 3), (0.25, 8, 2)]
    recorded = json.loads((model_dir / "training.json").read_text())["arguments"]
    assert (recorded["top_k_decay"], recorded["top_k_min"]) == (0.5, 0.25)
    for bad in (["--top-k-decay", "0"], ["--top-k-min", "1.5"]):
        with pytest.raises(SystemExit) as exit_info:
            run_cli(module, tiny_data, tmp_path / "bad", "--steps", "1", *bad)
        assert exit_info.value.code == 2
        assert "expected a fraction in (0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_export_discriminator_refuses_what_it_cannot_export(tiny_data, tmp_path, capsys):
    from train.export_discriminator import main as export_discriminator

    with pytest.raises(SystemExit):
        export_discriminator([str(tmp_path)])
    assert "no checkpoint.pt" in capsys.readouterr().err
    run_cli("train.classifier", tiny_data, tmp_path / "clf", "--steps", "1")
    (tmp_path / "clf" / "model" / "training.json").unlink()
    with pytest.raises(SystemExit):
        export_discriminator([str(tmp_path / "clf")])
    assert "does not look like a GAN run" in capsys.readouterr().err
    run_cli("train.dcgan", tiny_data, tmp_path / "gan", "--steps", "1")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SystemExit) as exit_info:  # a --model-dir it cannot write: was an OSError traceback
        export_discriminator([str(tmp_path / "gan"), "--model-dir", str(tmp_path / "a-file" / "model")])
    assert exit_info.value.code == 2 and "cannot write" in capsys.readouterr().err


def test_a_run_exported_early_records_the_step_it_reached(tiny_data, tmp_path):
    from train import cli
    from train import dcgan as mod

    argv = ["--data-dir", str(tiny_data), "--out", str(tmp_path / "run"), "--batch-size", "8", *TINY["train.dcgan"]]
    run = loop.Run(cli.parse_args(mod.__doc__, mod.add_arguments, argv, "train.dcgan", **mod.DEFAULTS), mod.build, argv)
    for _ in range(2):
        run.advance()
    info = json.loads((run.export() / loop.TRAINING_INFO).read_text())
    assert info["steps"] == 2 and info["arguments"]["steps"] == mod.DEFAULTS["steps"]


def test_cyclegan_semantic_loss_averages_several_judges_on_augmented_translations(tiny_data, tmp_path):
    one, two = _judge(tmp_path / "judge1"), _judge(tmp_path / "judge2")
    out = tmp_path / "run"
    folder = run_cli(
        "train.cyclegan", tiny_data, out, "--steps", "2", "--semantic-weight", "1",
        "--semantic-classifier", str(one), str(two), "--semantic-augment",
    )  # fmt: skip
    config = json.loads((folder / "config.json").read_text())
    assert config["semantic_classifier"] == [str(one), str(two)] and config["semantic_augment"] is True
    assert all(r["semantic"] > 0 for r in read_log(out))


def test_class_conditional_discriminator_judges_each_image_with_its_class():
    from zoo.models import PatchDiscriminator

    torch.manual_seed(0)
    x = torch.randn(6, 1, 28, 28)
    for strided in (1, 2):
        plain, conditional = PatchDiscriminator(8, strided), PatchDiscriminator(8, strided, classes=10)
        assert conditional(x, torch.arange(6)).shape == plain(x).shape
        conditional.embed.weight.data.normal_()  # a trained embedding: each class is judged apart
        scores = conditional(x, torch.zeros(6, dtype=torch.long))
        assert not torch.allclose(scores, conditional(x, torch.ones(6, dtype=torch.long)))
        conditional.embed.weight.data.zero_()  # with no class evidence it is the plain PatchGAN
        plain.load_state_dict({k: v for k, v in conditional.state_dict().items() if not k.startswith("embed")})
        assert torch.allclose(conditional(x, torch.arange(6)), plain(x))
        with pytest.raises(ValueError, match="needs the images' classes"):
            conditional(x)


def test_cyclegan_conditional_discriminators_need_the_judges_and_are_recorded(tiny_data, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("train.cyclegan", tiny_data, tmp_path / "no-judges", "--steps", "1", "--d-conditional")
    assert exit_info.value.code == 2 and "add --semantic-weight" in capsys.readouterr().err
    assert not (tmp_path / "no-judges").exists()

    judge = _judge(tmp_path / "judge")
    common = ["--steps", "3", "--semantic-weight", "1", "--semantic-classifier", str(judge)]
    plain = run_cli("train.cyclegan", tiny_data, tmp_path / "plain", *common)
    conditional = run_cli("train.cyclegan", tiny_data, tmp_path / "conditional", *common, "--d-conditional")
    assert json.loads((conditional / "config.json").read_text())["d_conditional"] is True
    assert json.loads((plain / "config.json").read_text())["d_conditional"] is False
    assert zoo.load(conditional).d_conditional is True
    assert "class-conditional" in card.card_text(conditional) and "class-conditional" not in card.card_text(plain)

    # a fine-tune may change the objective (the discriminators start fresh: CycleGAN exports the translators only)
    tuned = run_cli(
        "train.cyclegan", tiny_data, tmp_path / "tuned", *common, "--d-conditional", "--init-from", str(plain),
        "--steps", "1",
    )  # fmt: skip
    assert json.loads((tuned / "training.json").read_text())["arguments"]["init_from"] == str(plain)


@pytest.mark.parametrize("module", ["train.basic", "train.dcgan", "train.wgan"])
def test_init_from_starts_the_model_and_its_discriminator_from_an_exported_folder(module, tiny_data, tmp_path, capsys):
    from train.cli import parse_args
    from zoo import folder

    trainer = importlib.import_module(module)
    source = run_cli(module, tiny_data, tmp_path / "first", "--steps", "2")
    argv = ["--data-dir", str(tiny_data), "--out", str(tmp_path / "tuned"), "--batch-size", "8", *TINY[module]]
    args = parse_args(
        trainer.__doc__, trainer.add_arguments, [*argv, "--init-from", str(source)], module, **trainer.DEFAULTS
    )
    fresh = loop.Run(args, trainer.build)
    for name, path in (
        (fresh.recipe.export_net, source),
        (fresh.recipe.discriminator, folder.discriminator_folder(source)),
    ):
        expected = zoo.load(path).state_dict()
        for net in (
            fresh.recipe.nets[name],
            *([fresh.ema.model] if name == fresh.recipe.export_net and fresh.ema else []),
        ):
            got = net.state_dict()
            assert all(torch.equal(got[k], expected[k]) for k in expected), (name, path)

    constant = ["--lr-decay-from", "1"]  # so that a resume may go further
    parent = json.loads((source / "training.json").read_text())
    model_dir = run_cli(module, tiny_data, tmp_path / "tuned", *constant, "--steps", "2", "--init-from", str(source))
    training = json.loads((model_dir / "training.json").read_text())
    assert training["arguments"]["init_from"] == str(source) and training["started_from"] == parent
    assert f"fine-tuned from `{source}`, a model trained with `{parent['command']}`" in card.card_text(model_dir)
    training["started_from"] = {"command": "python -m train.x", "wall_time_s": "long"}  # a record damaged by hand
    (model_dir / "training.json").write_text(json.dumps(training))
    assert f"fine-tuned from `{source}`, whose training this run did not record" in card.card_text(model_dir)
    (source / "training.json").write_text("{}")  # the starting folder replaced: a resume still names the original
    model_dir = run_cli(
        module, tiny_data, tmp_path / "tuned", *constant, "--steps", "3", "--init-from", str(source), "--resume"
    )
    assert json.loads((model_dir / "training.json").read_text())["started_from"] == parent
    with pytest.raises(SystemExit) as exit_info:  # a resume is the same run: it keeps its starting point
        run_cli(module, tiny_data, tmp_path / "tuned", *constant, "--steps", "3", "--resume")
    assert exit_info.value.code == 2 and "init_from" in capsys.readouterr().err


def test_init_from_refuses_a_folder_that_does_not_fit_and_writes_nothing(tiny_data, tmp_path, capsys):
    source = run_cli("train.dcgan", tiny_data, tmp_path / "first", "--steps", "1")
    cases = [
        ("train.dcgan", ["--g-width", "16"], "its generator differs from this run's (width 8 there, 16 here)"),
        ("train.wgan", [], "holds a DCGANGenerator; this trainer's generator is a WGANGenerator"),
        ("train.dcgan", ["--init-from", str(tmp_path / "nothing")], "No config.json"),
    ]
    for module, extra, message in cases:
        with pytest.raises(SystemExit) as exit_info:
            run_cli(module, tiny_data, tmp_path / "bad", "--steps", "1", "--init-from", str(source), *extra)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert not (tmp_path / "bad").exists()
