"""How fast a generator gets good: ``python benchmarks/time_to_quality.py MODEL [--minutes M] [-- TRAINER ARGS]``.

Trains MODEL from scratch with its shipped settings (the command recorded in ``weights/MODEL/training.json``,
less its ``--out``, ``--steps``, ``--resume`` and ``--precision``, so that the trainer's ``auto`` picks bf16 only
where this hardware computes it; trainer arguments after ``--`` override them) and, every
``--every`` seconds of training, measures the exported-model view of the generator (its EMA when the recipe
keeps one) on 2,000 samples: Inception Score and Fréchet distance in the zoo classifier's feature space against
the 10,000 MNIST test digits. Time spent measuring is not counted. Writes ``OUT/curve.jsonl`` (wall time,
step, images seen, IS, FD per point) and ``OUT/curve.svg``, and prints the points as they come.

With 2,000 samples the Fréchet distance reads higher than the evaluator's 10,000-sample figure (its bias
shrinks with the sample count) and the IS a little lower; the curves compare recipes and hardware, while
``python -m zoo.evaluate`` gives the figures of record.

    python benchmarks/time_to_quality.py dcgan --minutes 20 --threads 1
    python benchmarks/time_to_quality.py dcgan --minutes 5 -- --precision fp32
"""

from __future__ import annotations

import argparse
import importlib
import json
import shlex
import sys
from pathlib import Path

import torch

import zoo
from train import cli, loop
from train.export_discriminator import GAN_TRAINERS
from zoo import folder, metrics
from zoo.data import load_mnist
from zoo.models import ModelLoadError

# run-only flags, and the precision: the shipped runs' bf16 is emulated, 8–58 times slower, on CPUs without bf16
NOT_SETTINGS = {
    "--out",
    "--steps",
    "--resume",
    "--threads",
    "--sample-every",
    "--log-every",
    "--ckpt-every",
    "--precision",
}
SAMPLES = 2000


GENERATORS_HELP = "a shipped generator (basic-gan, dcgan, wgan, otgan) or a generator's model folder"


def shipped_command(model: str) -> tuple[str, list[str]]:
    """The trainer module and the settings the shipped folder was trained with (run-only flags dropped)."""
    info = folder.read_training(folder.resolve(model))
    if not info:
        raise SystemExit(f"error: {model} records no training command (training.json)")
    words = shlex.split(info["command"])
    module = words[words.index("-m") + 1]
    settings, rest = [], words[words.index("-m") + 2 :]
    while rest:
        word = rest.pop(0)
        takes_value = bool(rest) and not rest[0].startswith("--")
        value = [rest.pop(0)] if takes_value else []
        if word not in NOT_SETTINGS:
            settings += [word, *value]
    return module, settings


def svg_curve(points: list[dict], title: str) -> str:
    """Two small panels (IS and FD against training minutes) as a standalone SVG."""
    w, h, pad = 360, 220, 40
    panels = []
    for i, (key, label) in enumerate((("inception_score", "Inception Score ↑"), ("frechet_distance", "Fréchet ↓"))):
        xs = [p["wall_s"] / 60 for p in points]
        ys = [p[key] for p in points]
        x0, x1 = 0.0, max(xs + [1e-9])
        y0, y1 = (0.0, 10.0) if key == "inception_score" else (0.0, max(ys + [1.0]) * 1.05)

        def sx(x: float, x0=x0, x1=x1) -> float:
            return pad + (x - x0) / (x1 - x0 or 1) * (w - 2 * pad)

        def sy(y: float, y0=y0, y1=y1) -> float:
            return h - pad - (y - y0) / (y1 - y0 or 1) * (h - 2 * pad)

        path = " ".join(
            f"{'M' if j == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for j, (x, y) in enumerate(zip(xs, ys, strict=True))
        )
        ticks = "".join(
            f'<text x="{pad - 4}" y="{sy(t):.1f}" text-anchor="end" font-size="10">{t:g}</text>'
            for t in (y0, round((y0 + y1) / 2, 1), round(y1, 1))
        )
        panels.append(
            f'<g transform="translate({i * w},0)"><text x="{w / 2}" y="16" text-anchor="middle" font-size="12">'
            f"{label}</text>{ticks}"
            f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#888"/>'
            f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#888"/>'
            f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle" font-size="10">training minutes (0–{x1:.0f})</text>'
            f'<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/></g>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h + 20}" font-family="sans-serif">'
        f'<text x="{w}" y="{h + 14}" text-anchor="middle" font-size="11">{title}</text>{"".join(panels)}</svg>\n'
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    ours, trainer_extra = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help=GENERATORS_HELP)
    parser.add_argument(
        "--minutes", type=cli.positive_float, default=10.0, help="training time to run (measuring not counted)"
    )
    parser.add_argument(
        "--every-steps",
        type=cli.positive_int,
        default=None,
        help="measure every N steps instead of every --every seconds (to compare variants at equal steps)",
    )
    parser.add_argument("--max-steps", type=cli.positive_int, default=None, help="also stop at this step")
    parser.add_argument("--every", type=cli.positive_float, default=60.0, help="training seconds between measurements")
    parser.add_argument("--threads", type=cli.positive_int, default=None, help="torch CPU threads (default: all)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="where to train")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default runs/time-to-quality/MODEL)")
    args = parser.parse_args(ours)
    out = args.out or Path("runs/time-to-quality") / args.model
    if (out / "checkpoint.pt").exists():
        parser.error(f"{out} holds an earlier run; choose another --out or delete it")
    try:
        module_name, settings = shipped_command(args.model)
    except ModelLoadError as err:
        parser.error(str(err))
    if module_name not in GAN_TRAINERS:
        parser.error(f"{args.model} is not a generator (trained by {module_name}): {GENERATORS_HELP}")
    module = importlib.import_module(module_name)
    trainer_argv = [*settings, *trainer_extra, "--out", str(out), "--steps", str(10**9), "--device", args.device]
    trainer_argv += ["--sample-every", str(10**9), "--ckpt-every", str(10**9), "--log-every", "100"]
    if args.threads:
        trainer_argv += ["--threads", str(args.threads)]
    targs = cli.parse_args(module.__doc__, module.add_arguments, trainer_argv, module_name, **module.DEFAULTS)
    run = loop.Run(targs, module.build, trainer_argv)

    classifier = zoo.load("classifier-mnist")
    test_x, _ = load_mnist("test")
    test_features = metrics.features(classifier, test_x)
    z = torch.randn(SAMPLES, run.model.latent_dim, generator=torch.Generator().manual_seed(0))
    threads = torch.get_num_threads()
    command = f"{module_name} {shlex.join(settings + trainer_extra)}"  # what the curve's run was trained with
    command += f" ({threads} thread{'s' if threads != 1 else ''}, {targs.precision})"  # auto, as resolved
    print(command, flush=True)
    print("| minutes | step | images seen | IS | FD |\n|---|---|---|---|---|", flush=True)
    points: list[dict] = []
    curve = out / "curve.jsonl"
    curve.write_text("", encoding="utf-8")
    next_at = 0.0

    def done() -> bool:
        return run.wall >= args.minutes * 60 or (args.max_steps is not None and run.step >= args.max_steps)

    while True:
        due = run.step % args.every_steps == 0 if args.every_steps else run.wall >= next_at
        if due or done():
            gen = run.model
            was_training = gen.training
            gen.eval()
            with torch.no_grad():
                images = torch.cat(
                    [gen.decode(z[i : i + 500].to(run.rt.device)).float().cpu() for i in range(0, SAMPLES, 500)]
                )
            gen.train(was_training)
            point = {
                "wall_s": round(run.wall, 1),
                "step": run.step,
                "images_seen": run.images_seen,
                "inception_score": round(metrics.inception_score(metrics.predict(classifier, images)), 3),
                "frechet_distance": round(
                    metrics.frechet_distance(metrics.features(classifier, images), test_features), 3
                ),
            }
            points.append(point)
            with open(curve, "a", encoding="utf-8") as f:
                f.write(json.dumps(point) + "\n")
            print(
                f"| {point['wall_s'] / 60:.1f} | {point['step']} | {point['images_seen']} | "
                f"{point['inception_score']:.2f} | {point['frechet_distance']:.2f} |",
                flush=True,
            )
            (out / "curve.svg").write_text(svg_curve(points, f"{args.model}: {command}"))
            if done():
                break
            next_at = min(next_at + args.every, args.minutes * 60)
        run.advance()
    run.save_checkpoint()


if __name__ == "__main__":
    main()
