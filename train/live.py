"""Train a GAN live, in a background thread of a server: the engine behind the app's *Train live* page.

The page only lays out; this module trains. It drives the zoo's own training run (``train.loop.Run``, the loop of
``python -m train.<model>``, with the trainer's own arguments, recipe and step: nothing is copied) one step at a
time in a worker thread, and hands the page immutable :class:`Snapshot`\\ s: the sample grid from the preview's
fixed noise, the losses, D(real)/D(fake) or the critic's Wasserstein estimate, images/s, and a quick Inception
Score from the zoo's MNIST classifier every ``score_every`` steps.

Rules that make it safe on a shared server (a 2-core machine, a hosted Space):

- At most :func:`max_concurrent` trainings run at once in the process (``$GAN_ZOO_LIVE_MAX``, default one per
  two CPU cores): :meth:`LiveTraining.start` raises :class:`ServerBusy`, whose message the next user sees.
- A session that closes stops its training: the page calls :meth:`LiveTraining.heartbeat` at every refresh and
  the worker stops when none came for ``heartbeat_timeout`` seconds (paused or not). A training also stops after
  ``max_minutes`` of real time, so that one user cannot hold the server's slot forever.
- Memory stays bounded: the logs are thinned (:class:`ThinLog`), one preview grid is kept, and the training data
  is let go as soon as the worker ends.

Everything the worker changes it changes itself: pause, resume and stop are flags it reads between steps, and
"save as model" (:meth:`LiveTraining.save`) runs inside it between two steps, through the loop's own export.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib
import io
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from train import cli, loop
from zoo import card, metrics
from zoo.folder import read_training, weights_dir, write_training
from zoo.models.basic import DISCRIMINATOR_HIDDEN_2014, GENERATOR_HIDDEN_2014

MODELS = {"dcgan": "train.dcgan", "basic-gan": "train.basic", "wgan": "train.wgan", "otgan": "train.otgan"}
LIVE_MAX_ENV = "GAN_ZOO_LIVE_MAX"
HEARTBEAT_S = 10.0  # a refresh comes every second; ten missed ones mean the tab is gone
MAX_MINUTES = 30.0
PREVIEW_EVERY_S = 1.0  # how often the worker renders the preview grid (the page refreshes about as often)
SCORE_SAMPLES = 500
MAX_POINTS = 400  # per curve: enough for a smooth chart, small enough to send every second
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
OFF = 1e9  # "no clipping": a clip no weight ever reaches (WGAN's --clip only takes positive numbers)


class ServerBusy(RuntimeError):
    """The server already runs as many live trainings as it allows; the message says so to the next user."""


# --- what the page offers: models, knobs, presets -------------------------------------------------------------


@dataclass(frozen=True)
class Knob:
    """One trainer flag the page offers, as a slider over ``options``; its default is the trainer's own."""

    flag: str
    label: str
    options: tuple[Any, ...]
    help: str = ""

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


LRS = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 4e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2)  # 4e-4: DCGAN's D (its trainer's default)
COMMON_KNOBS = (
    Knob("--steps", "Steps", (200, 500, 1000, 2000, 3000, 5000, 10000), "training stops here"),
    Knob("--batch-size", "Batch size", (16, 32, 64, 128, 256)),
    Knob("--lr", "Generator learning rate", LRS),
    Knob("--lr-d", "Discriminator learning rate", (None, *LRS), "None: the generator's"),
    Knob(
        "--precision",
        "Precision",
        ("auto", "fp32", "bf16"),
        "auto: bf16 autocast where the CPU has bf16 hardware, else fp32 (emulated bf16 is far slower)",
    ),
    Knob("--ema", "Generator weight average", (0.0, 0.9, 0.99, 0.999), "what the grid shows (0: the raw weights)"),
)
WIDTHS = (2, 4, 8, 16, 32, 64, 128)
# Arguments a live run always gets: the MLP GAN trains live at the 2014 paper's sizes, a third of the shipped
# recipe's cost per step (its MLPs are twice as wide), so that digits show within minutes
LIVE_ARGV: dict[str, tuple[str, ...]] = {
    "basic-gan": (
        *("--g-hidden", *map(str, GENERATOR_HIDDEN_2014)),
        *("--d-hidden", *map(str, DISCRIMINATOR_HIDDEN_2014)),
    ),
}
KNOBS: dict[str, tuple[Knob, ...]] = {
    "dcgan": (
        Knob("--g-width", "Generator width", WIDTHS),
        Knob("--g-layers", "Generator up-convolutions", (3, 4)),
        Knob("--d-width", "Discriminator width", WIDTHS),
        Knob("--d-layers", "Discriminator stride-2 convolutions", (2, 3)),
    ),
    "basic-gan": (),
    "wgan": (
        Knob("--clip", "Critic weight clip c", (0.005, 0.01, 0.02, 0.05, 0.1, OFF), f"{OFF:g} = no clipping"),
        Knob("--n-critic", "Critic steps per generator step", (1, 2, 3, 5, 10)),
        Knob("--g-width", "Generator width", WIDTHS),
        Knob("--d-width", "Critic width", WIDTHS),
        Knob("--d-layers", "Critic stride-2 convolutions", (2, 3), "3: more capacity under clipping, slower per step"),
    ),
    "otgan": (
        Knob("--epsilon", "Sinkhorn ε", (0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 1.0)),
        Knob("--n-gen", "Generator steps per critic step", (1, 2, 3, 5)),
        Knob("--g-width", "Generator width", WIDTHS),
        Knob("--d-width", "Critic width", WIDTHS),
    ),
}


def knobs(model: str) -> tuple[Knob, ...]:
    return COMMON_KNOBS + KNOBS[model]


def trainer_defaults(model: str) -> argparse.Namespace:
    """The trainer's arguments at its own defaults (``python -m train.<model> --out X``)."""
    module_name = MODELS[model]
    module = importlib.import_module(module_name)
    return cli.parse_args(module.__doc__, module.add_arguments, ["--out", "-"], module_name, **module.DEFAULTS)


def default_settings(model: str) -> dict[str, Any]:
    """Each knob's value when nothing is chosen: the trainer's default, or the nearest option to it."""
    args = trainer_defaults(model)
    settings = {}
    for knob in knobs(model):
        value = getattr(args, knob.dest)
        if value not in knob.options:
            numbers = [o for o in knob.options if isinstance(o, int | float)]
            value = min(numbers, key=lambda o, v=value: abs(o - v))
        settings[knob.flag] = value
    return settings


@dataclass(frozen=True)
class Preset:
    """A ready-made setting: a good run to start from, or a classic failure shown on purpose."""

    title: str
    model: str
    settings: dict[str, Any]
    look_for: str
    failure: bool = False


PRESETS = {
    "dcgan-fast": Preset(
        "DCGAN: digits in two minutes",
        "dcgan",
        {
            "--g-width": 16,
            "--g-layers": 3,
            "--d-width": 32,
            "--d-layers": 2,
            "--batch-size": 64,
            "--lr": 5e-4,
            "--precision": "auto",
            "--steps": 3000,
        },
        "Blobs turn into strokes within a minute and into digits you can read within two or three (on two free "
        "CPU cores), while the Inception Score climbs and the histogram spreads over all ten digits.",
    ),
    "basic-gan": Preset(
        "MLP GAN (the 2014 baseline)",
        "basic-gan",
        {"--batch-size": 64, "--precision": "auto", "--steps": 5000},
        "Fully connected networks learn slower and noisier: speckled digits that sharpen over several minutes.",
    ),
    "wgan": Preset(
        "WGAN (paper settings, smaller networks)",
        "wgan",
        {
            "--g-width": 16,
            "--g-layers": 3,
            "--d-width": 32,
            "--d-layers": 2,
            "--lr": 5e-5,
            "--precision": "auto",
            "--steps": 3000,
        },
        "After a slow start (the paper's 100 critic steps for each of the first 25 generator steps), the critic's "
        "Wasserstein estimate falls as the digits improve: unlike a GAN's losses, it tracks sample quality.",
    ),
    "otgan": Preset(
        "OT-GAN (Sinkhorn energy distance)",
        "otgan",
        {"--batch-size": 64, "--precision": "auto", "--steps": 3000},
        "Slower per step (four batches and six Sinkhorn plans each) but steady: the energy distance falls smoothly "
        "and the digits come without collapse.",
    ),
    "collapse": Preset(
        "Failure: a learning rate that collapses to one digit",
        "dcgan",
        {
            "--g-width": 16,
            "--g-layers": 3,
            "--d-width": 32,
            "--d-layers": 2,
            "--lr": 1e-2,
            "--lr-d": 5e-5,
            "--batch-size": 64,
            "--ema": 0.0,
            "--precision": "auto",
            "--steps": 1000,
        },
        "Within fifty steps all 64 samples turn into one and the same shape, read as one digit (a single bar in the "
        "histogram, an Inception Score of 1): a generator learning 200 times faster than its discriminator chases "
        "whatever D likes now, mode collapse.",
        failure=True,
    ),
    "no-clip": Preset(
        "Failure: WGAN without weight clipping",
        "wgan",
        {
            "--g-width": 16,
            "--g-layers": 3,
            "--d-width": 32,
            "--d-layers": 2,
            "--clip": OFF,
            "--lr": 5e-4,
            "--ema": 0.0,
            "--precision": "auto",
            "--steps": 500,
        },
        "Unclipped, the critic is no longer Lipschitz: its Wasserstein estimate shoots into the thousands during the "
        "warm-up and stops meaning anything, while the samples stay blotches.",
        failure=True,
    ),
    "strong-d": Preset(
        "Failure: a discriminator far stronger than the generator",
        "dcgan",
        {
            "--g-width": 2,
            "--g-layers": 3,
            "--d-width": 128,
            "--lr": 1e-4,
            "--lr-d": 2e-3,
            "--batch-size": 64,
            "--ema": 0.0,
            "--precision": "auto",
            "--steps": 1000,
        },
        "D(real) → 1 and D(fake) → 0 within fifty steps: D wins outright, the generator's loss soars past 10 and "
        "its grid stays grey noise.",
        failure=True,
    ),
}


def trainer_argv(model: str, settings: dict[str, Any]) -> list[str]:
    """The trainer's command-line arguments for these knob values (those left at None are left out)."""
    argv = []
    for flag, value in settings.items():
        if value is not None:
            argv += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return argv


# --- the server-wide cap ----------------------------------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: set[int] = set()  # id()s of the trainings holding a slot


def max_concurrent() -> int:
    """How many live trainings may run at once: ``$GAN_ZOO_LIVE_MAX``, else one per two CPU cores (at least one)."""
    try:
        return max(1, int(os.environ[LIVE_MAX_ENV]))
    except (KeyError, ValueError):
        return max(1, (os.cpu_count() or 1) // 2)


def running() -> int:
    """Live trainings holding a slot now (running or paused)."""
    with _slots_lock:
        return len(_slots)


# --- what the page sees -----------------------------------------------------------------------------------------


class ThinLog:
    """Per-step records averaged into at most ``max_points`` points: when full, neighbours merge pairwise and each
    new point covers twice the steps. The whole run stays visible, at a resolution that coarsens with time; the
    newest point is the average of the window under way, so the curve never lags."""

    def __init__(self, max_points: int = MAX_POINTS):
        self.max_points = max_points
        self.stride = 1
        self._done: list[tuple[dict[str, float], int]] = []  # (averaged record, how many steps it covers)
        self._pending: list[dict[str, float]] = []

    def append(self, record: dict[str, float]) -> None:
        self._pending.append(record)
        if len(self._pending) < self.stride:
            return
        self._done.append((_mean([(r, 1) for r in self._pending]), len(self._pending)))
        self._pending = []
        if len(self._done) >= self.max_points:
            pairs = [self._done[i : i + 2] for i in range(0, len(self._done), 2)]
            self._done = [(_mean(pair), sum(n for _, n in pair)) for pair in pairs]
            self.stride *= 2

    @property
    def points(self) -> list[dict[str, float]]:
        pending = [_mean([(r, 1) for r in self._pending])] if self._pending else []
        return [record for record, _ in self._done] + pending


def _mean(weighted: Sequence[tuple[dict[str, float], int]]) -> dict[str, float]:
    """The records' average weighted by the steps each covers, drawn where the last one ends (its step and time)."""
    last = weighted[-1][0]
    keys = [k for k in last if all(k in r for r, _ in weighted)]
    total = sum(n for _, n in weighted)
    mean = {k: sum(r[k] * n for r, n in weighted) / total for k in keys}
    mean["step"], mean["wall_time"] = last["step"], last["wall_time"]
    return mean


@dataclass(frozen=True)
class Snapshot:
    """The training as the page shows it at one moment; never changed after it is made."""

    model: str
    state: str  # "starting", "running", "paused", "finished", "stopped" or "failed"
    step: int = 0
    steps: int = 0
    elapsed: float = 0.0  # training seconds (the loop's clock: pauses and measurements not counted)
    images_per_s: float = 0.0
    log: tuple[dict[str, float], ...] = ()
    scores: tuple[dict[str, Any], ...] = ()  # step, wall_time, inception_score, histogram (10 shares)
    grid: torch.Tensor | None = None  # the preview grid's images, N×1×28×28 in [-1, 1]
    grid_step: int = 0
    message: str = ""

    @property
    def active(self) -> bool:
        """Whether the worker is alive (the page keeps refreshing)."""
        return self.state in ("starting", "running", "paused")


# --- the engine -------------------------------------------------------------------------------------------------


@dataclass
class _Measures:
    log: ThinLog = field(default_factory=ThinLog)
    scores: ThinLog = field(default_factory=lambda: ThinLog(MAX_POINTS // 4))
    rate: float = 0.0
    rate_mark: tuple[float, int] = (0.0, 0)  # (training clock, images seen) at the last rate update


class LiveTraining:
    """One live training: a ``train.loop.Run`` in a worker thread, steered by the page.

    ``classifier`` (the zoo's ``classifier-mnist``, or None to skip) gives the Inception Score every
    ``score_every`` steps on ``SCORE_SAMPLES`` samples from fixed noise. ``settings`` maps trainer flags to values
    (the page's knobs, or any other flag of the trainer), over :func:`default_settings`. The heartbeat timeout and
    the time limit default to the module's ``HEARTBEAT_S`` and ``MAX_MINUTES``. The run's files go to a temporary
    folder, removed with this object.
    """

    def __init__(
        self,
        model: str,
        settings: dict[str, Any] | None = None,
        classifier: nn.Module | None = None,
        *,
        score_every: int = 100,
        heartbeat_timeout: float | None = None,
        max_minutes: float | None = None,
        extra_argv: Sequence[str] = (),
    ):
        if model not in MODELS:
            raise ValueError(f"model must be one of {sorted(MODELS)}, got {model!r}")
        self.model, self.module_name = model, MODELS[model]
        self.settings = {**default_settings(model), **(settings or {})}
        self.argv = [*trainer_argv(model, self.settings), *LIVE_ARGV.get(model, ()), *extra_argv]
        self.classifier, self.score_every = classifier, score_every
        self.heartbeat_timeout = HEARTBEAT_S if heartbeat_timeout is None else heartbeat_timeout
        self.max_minutes = MAX_MINUTES if max_minutes is None else max_minutes
        self.out = Path(tempfile.mkdtemp(prefix="gan-zoo-live-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.out, True)
        module = importlib.import_module(self.module_name)
        run_argv = [*self.argv, "--out", str(self.out / "run"), "--sample-every", str(10**9)]
        run_argv += ["--ckpt-every", str(10**9), "--log-every", "50"]
        # Parsed here, so that a bad setting is refused in the caller's thread, before any slot is taken
        try:
            self.args = cli.parse_args(
                module.__doc__, module.add_arguments, run_argv, self.module_name, **module.DEFAULTS
            )
        except SystemExit as err:  # argparse has printed why to stderr
            raise ValueError(f"{self.module_name} refuses these settings: {' '.join(self.argv)}") from err
        self._build = module.build
        self._run: loop.Run | None = None
        self._pause, self._stop = threading.Event(), threading.Event()
        self._requests: list[tuple[Callable[[], Any], concurrent.futures.Future]] = []
        self._lock = threading.Lock()
        self._accepting = False  # whether the worker will still serve requests (under _lock)
        self._beat = time.monotonic()
        self._snapshot = Snapshot(model, "starting", steps=self.args.steps)
        self._measures: _Measures | None = None  # the worker's own records, published through snapshots
        self._grid: torch.Tensor | None = None
        self._grid_step = 0
        self._thread = threading.Thread(target=self._work, name=f"live-{model}", daemon=True)

    # --- controls (any thread) ---

    def start(self) -> LiveTraining:
        """Take a slot and start the worker; ServerBusy (nothing started) when the server is full."""
        with _slots_lock:
            limit = max_concurrent()
            if len(_slots) >= limit:
                raise ServerBusy(
                    f"The server is already training {len(_slots)} model{'s' if len(_slots) > 1 else ''} live, "
                    f"its limit (${LIVE_MAX_ENV}={limit}). A live training ends when its user closes the page, "
                    f"reaches its steps, or after {self.max_minutes:g} minutes: try again shortly."
                )
            _slots.add(id(self))
        self._beat = time.monotonic()
        self._accepting = True
        self._thread.start()
        return self

    def heartbeat(self) -> None:
        """The page is still open (called at every refresh)."""
        self._beat = time.monotonic()

    def pause(self) -> None:
        self._pause.set()

    def resume(self) -> None:
        self._pause.clear()

    def stop(self, wait: float | None = 30.0) -> None:
        """Stop the worker (after the step under way) and wait up to ``wait`` seconds for it."""
        self._stop.set()
        if wait and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(wait)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def snapshot(self) -> Snapshot:
        return self._snapshot

    def save(self, name: str, root: str | os.PathLike | None = None) -> Path:
        """Export the model as it is now to ``root/name`` (default: ``weights_dir()``, so every page offers it).

        The loop's own export (``Run.export``: weights, config, training.json, log, samples and the
        discriminator), then training.json says where it was trained (``origin: live``) and the card is written
        from it. Refuses an invalid or taken name, and a training that failed (its weights may not be finite).
        """
        if self._snapshot.state == "failed":
            raise RuntimeError(f"The training failed ({self._snapshot.message}): nothing worth saving.")
        if not NAME.fullmatch(name):
            raise ValueError(f"Name {name!r}: use lower-case letters, digits, '.', '_' or '-' (at most 64).")
        dest = Path(root or weights_dir()) / name
        if dest.exists():
            raise ValueError(f"{dest} already exists: choose another name.")
        folder = self._call(lambda: self._export(name))
        shutil.copytree(folder, dest)
        info = read_training(dest) or {}
        info["origin"] = "live"
        write_training(dest, info)
        card.write_card(dest)
        return dest

    # --- the worker ---

    def _call(self, fn: Callable[[], Any], timeout: float = 120.0) -> Any:
        """Run ``fn`` in the worker between two steps (or here when the worker has ended) and return its result."""
        future: concurrent.futures.Future | None = None
        with self._lock:
            if self._accepting:
                future = concurrent.futures.Future()
                self._requests.append((fn, future))
        if future is None:
            if self._run is None:
                raise RuntimeError("The training has not built its model yet (or failed before): nothing to save.")
            return fn()
        return future.result(timeout)

    def _serve_requests(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, []
        for fn, future in requests:
            try:
                future.set_result(fn())
            except Exception as err:  # noqa: BLE001 - handed to the caller
                future.set_exception(err)

    def _export(self, name: str) -> Path:
        run = self._run
        if run is None:
            raise RuntimeError("The training has not built its model yet: nothing to save.")
        loop.write_grid(run.recipe, run.ema, run.out / "samples" / f"step_{run.step:07d}.png")
        run.argv = [*self.argv, "--steps", str(run.step), "--out", f"runs/{name}"]  # the command that redoes it
        return run.export()

    def _work(self) -> None:
        state, message = "failed", ""
        try:
            self._publish("starting")
            self._run = run = loop.Run(self.args, self._build, self.argv)
            z = torch.randn(SCORE_SAMPLES, run.model.latent_dim, generator=torch.Generator().manual_seed(0))
            measures = _Measures()
            self._measure(run, measures)
            last_preview = time.monotonic()
            started = time.monotonic()
            while True:
                self._serve_requests()
                if self._stop.is_set():
                    state, message = "stopped", f"Stopped at step {run.step}."
                    break
                if time.monotonic() - self._beat > self.heartbeat_timeout:
                    state, message = "stopped", f"The page was closed: stopped at step {run.step}."
                    break
                if time.monotonic() - started > 60 * self.max_minutes:
                    state, message = "stopped", f"Time is up ({self.max_minutes:g} min): stopped at step {run.step}."
                    break
                if run.step >= self.args.steps:
                    state, message = "finished", f"Finished: {run.step} steps."
                    break
                if self._pause.is_set():
                    self._publish("paused", run, measures)
                    time.sleep(0.1)
                    continue
                losses = run.advance()
                measures.log.append({**losses, "step": run.step, "wall_time": run.wall})
                if self.classifier is not None and run.step % self.score_every == 0:
                    self._score(run, z, measures)
                if time.monotonic() - last_preview >= PREVIEW_EVERY_S:
                    self._measure(run, measures)
                    last_preview = time.monotonic()
            self._measure(run, measures)
            self._publish(state, run, measures, message)
        except (Exception, loop.RunError) as err:  # noqa: BLE001 - the page shows why; the server goes on
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            print(f"live training ({self.model}) failed: {type(err).__name__}: {err}", file=sys.stderr)
            run = self._run
            self._publish("failed", run, self._measures, f"Training stopped: {reason}")
        finally:
            with _slots_lock:
                _slots.discard(id(self))
            if self._run is not None:  # the data is the bulk of the memory (MNIST as floats: 190 MB)
                self._run.streams = []
                self._run.recipe.datasets = []
            with self._lock:
                self._accepting = False
            self._serve_requests()  # those that came while it stopped: run here, now that no step can interleave

    def _measure(self, run: loop.Run, measures: _Measures) -> None:
        """Refresh the preview grid and images/s, and publish a snapshot."""
        self._measures = measures
        wall, seen = measures.rate_mark
        if run.wall > wall:
            measures.rate = (run.images_seen - seen) / (run.wall - wall)
            measures.rate_mark = (run.wall, run.images_seen)
        self._grid, self._grid_step = loop.preview_images(run.recipe, run.ema), run.step
        self._publish("paused" if self._pause.is_set() else "running", run, measures)

    @torch.no_grad()
    def _score(self, run: loop.Run, z: torch.Tensor, measures: _Measures) -> None:
        generator = run.model
        was_training = generator.training
        generator.eval()
        images = torch.cat([generator(z[i : i + 250].to(run.rt.device)).float().cpu() for i in range(0, len(z), 250)])
        generator.train(was_training)
        probs = metrics.predict(self.classifier, images)
        measures.scores.append(
            {
                "step": run.step,
                "wall_time": run.wall,
                "inception_score": metrics.inception_score(probs),
                **{f"digit_{d}": float(share) for d, share in enumerate(metrics.class_histogram(probs))},
            }
        )

    def _publish(
        self, state: str, run: loop.Run | None = None, measures: _Measures | None = None, message: str = ""
    ) -> None:
        if run is None or measures is None:
            self._snapshot = Snapshot(self.model, state, steps=self.args.steps, message=message)
            return
        self._snapshot = Snapshot(
            self.model,
            state,
            step=run.step,
            steps=self.args.steps,
            elapsed=run.wall,
            images_per_s=measures.rate,
            log=tuple(measures.log.points),
            scores=tuple(measures.scores.points),
            grid=self._grid,
            grid_step=self._grid_step,
            message=message,
        )


def zip_folder(folder: str | os.PathLike) -> bytes:
    """A model folder as zip bytes (what a user downloads to keep a model trained live on a hosted server)."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    return buffer.getvalue()
