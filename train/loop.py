"""The one training loop every model shares; each model supplies a Recipe (its networks and its step).

What the loop owns, so that no trainer repeats it: device choice and precision,
DistributedDataParallel under ``torchrun``, endless shuffled batches, checkpoints written atomically and
resumed exactly (models, optimisers, schedulers, EMA, RNG and data position), sample grids from fixed inputs,
a JSON-lines metrics log, a progress bar with live losses, a guard against non-finite losses, and the export
of the finished model as a folder that ``zoo.load`` reads.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import math
import os
import platform
import shlex
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from zoo import folder as model_folder
from zoo.data import DataError, to_unit
from zoo.folder import save_discriminator, save_model, write_samples, write_training, write_training_log
from zoo.models import ZooModel

CHECKPOINT = "checkpoint.pt"
TRAINING_INFO, TRAINING_LOG = model_folder.TRAINING, model_folder.TRAINING_LOG  # the exported folder's (zoo.folder)
METRICS_LOG = "metrics.jsonl"

Batch = tuple[torch.Tensor, ...]
Draw = Callable[[], tuple[Batch, ...]]


@dataclass
class Recipe:
    """What a model brings to the loop.

    ``step(i, draw)`` performs training iteration ``i``: it calls ``draw()`` for as many batches as it needs
    (one tuple of (images, labels) per dataset per call) and returns scalar losses to log. ``export_net`` names
    the ZooModel in ``nets`` that is saved at the end (averaged if ``--ema`` is on); ``preview(model)`` returns
    the images of the sample grid, from fixed inputs, so that grids from different steps compare.
    ``discriminator`` names a GAN's discriminator or critic in ``nets``: the export saves it beside the model as
    ``model/discriminator/`` (``zoo.folder.save_discriminator``), for the app's discriminator's-view page.
    """

    nets: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]
    step: Callable[[int, Draw], dict[str, float]]
    export_net: str
    datasets: Sequence[Batch]
    preview: Callable[[nn.Module], torch.Tensor] | None = None
    preview_rows: int = 8
    schedulers: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # other objects with state_dict(), e.g. image pools
    finish: Callable[[nn.Module], dict[str, float]] | None = None  # final evaluation, logged in training.json
    ema: float = 0.0  # decay of the exported network's weight average (0 = export the trained weights)
    discriminator: str | None = None  # the net in ``nets`` exported as model/discriminator/ (None: none)


class NonFiniteLossError(RuntimeError):
    pass


class RunError(SystemExit):
    """Stops a run with one line for the user and no traceback (``train.cli.main`` prints it).

    Exit code 2 for input that cannot work (arguments, files, a mismatched resume); 1 for a run that cannot
    go on through no fault of its arguments (a full disk).
    """

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


# Arguments that may differ when a run resumes: where and how fast it runs, how often it reports, and how far
# it goes (upwards). Every other argument defines the model, the data or the optimisation, and must match.
RESUMABLE_CHANGES = {
    "out",
    "resume",
    "export_only",
    "steps",
    "sample_every",
    "log_every",
    "ckpt_every",
    "threads",
    "device",
    "data_dir",
    "download",
    "compile",
    "channels_last",
}


class BatchStream:
    """Endless shuffled mini-batches from tensors held on the device; position and RNG are checkpointable."""

    def __init__(self, tensors: Batch, batch_size: int, seed: int):
        self.tensors = tensors
        self.batch_size = min(batch_size, len(tensors[0]))
        self.rng = torch.Generator().manual_seed(seed)
        self.perm = torch.empty(0, dtype=torch.long)
        self.pos = 0

    def next(self) -> Batch:
        if self.pos + self.batch_size > len(self.perm):
            self.perm = torch.randperm(len(self.tensors[0]), generator=self.rng)
            self.pos = 0
        idx = self.perm[self.pos : self.pos + self.batch_size].to(self.tensors[0].device)
        self.pos += self.batch_size
        return tuple(t[idx] for t in self.tensors)

    def state_dict(self) -> dict[str, Any]:
        return {"rng": self.rng.get_state(), "perm": self.perm, "pos": self.pos}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rng.set_state(state["rng"])
        self.perm, self.pos = state["perm"], state["pos"]


class EMA:
    """Exponential moving average of a model's weights (buffers copied), used for previews and export.

    The decay ramps up as min(decay, (1 + n) / (10 + n)) over the first updates n, so that early previews show
    the trained weights rather than an average dominated by the initialisation.
    """

    def __init__(self, model: nn.Module, decay: float):
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for avg, p in zip(self.model.parameters(), model.parameters(), strict=True):
            avg.lerp_(p, 1 - decay)
        for avg, b in zip(self.model.buffers(), model.buffers(), strict=True):
            avg.copy_(b)

    def state_dict(self) -> dict[str, Any]:
        return {"model": self.model.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.updates = state["updates"]


def set_requires_grad(module: nn.Module, flag: bool) -> None:
    """Freeze a network while the other one steps (saves the backward through its weights)."""
    for p in module.parameters():
        p.requires_grad_(flag)


# --- distributed ---------------------------------------------------------------------------------------


@dataclass
class Runtime:
    device: torch.device
    rank: int = 0
    world_size: int = 1
    precision: str = "fp32"
    compile: bool = False
    channels_last: bool = False

    def autocast(self) -> torch.autocast:
        """The context for forward passes: bfloat16 autocast under ``--precision bf16`` (CPU or CUDA), else off.

        Steps wrap their forward passes in it and call ``backward()`` outside, as PyTorch recommends; losses
        that autocast keeps in fp32 (cross-entropy, MSE, L1) stay accurate either way.
        """
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16")

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: nn.Module) -> nn.Module:
        """The module to call when it is the one being updated: compiled under ``--compile``, DDP-wrapped when
        distributed. The module itself stays unwrapped, so its state_dict (checkpoints, export) is unchanged.

        Under ``--channels-last`` the module's 4-d weights move, in place, to the NHWC layout that oneDNN's and
        cuDNN's convolutions prefer; its activations follow them (a convolution takes its input's or its weight's
        layout). Export writes the standard layout back (:func:`export_model`).
        """
        if self.channels_last:
            module.to(memory_format=torch.channels_last)
        if self.compile:
            module = torch.compile(module)
        if self.world_size == 1:
            return module
        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)


def device_type(choice: str) -> str:
    """``--device`` resolved: "cuda" when asked for (an error if there is none) or, under auto, when present."""
    if choice == "cuda" and not torch.cuda.is_available():
        raise RunError("--device cuda was asked for but no CUDA device is available; use --device cpu")
    return "cuda" if choice == "cuda" or (choice == "auto" and torch.cuda.is_available()) else "cpu"


def bf16_is_native(device: str) -> bool:
    """Whether this device multiplies bfloat16 in hardware, which is when bf16 autocast pays.

    Without it, bf16 is emulated and far slower than fp32 (DCGAN's step: 8 against 168 images/s on an AVX2-only
    EPYC; 1.2–1.8 times faster than fp32 on a Zen 4 with AVX-512 BF16). On x86 CPUs that means AVX-512 BF16 or AMX;
    elsewhere oneDNN's own bf16 check (Arm's BF16 extension). The checks are torch's private probes, so any
    failure of them reads as "not native" and the run falls back to fp32.
    """
    try:
        if device == "cuda":
            return torch.cuda.is_bf16_supported(including_emulation=False)
        if platform.machine().lower() in ("x86_64", "amd64"):
            return bool(torch.cpu._is_avx512_bf16_supported()) or has_amx()
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError, TypeError):  # a torch without these probes or their arguments
        return False


def resolve_precision(choice: str, device: str, checkpoint_arguments: dict[str, Any] | None = None) -> str:
    """``--precision auto`` made concrete, so that the run records (and a resume repeats) what it really used.

    A resumed run keeps its checkpoint's precision (its numbers continue bit for bit wherever it resumes); a new
    one takes bf16 where the hardware has it (:func:`bf16_is_native`) and fp32 elsewhere.
    """
    if choice != "auto":
        return choice
    if checkpoint_arguments and checkpoint_arguments.get("precision") in ("fp32", "bf16"):
        return checkpoint_arguments["precision"]
    return "bf16" if bf16_is_native(device) else "fp32"


def setup_runtime(choice: str, precision: str = "fp32", compile: bool = False, channels_last: bool = False) -> Runtime:
    use_cuda = device_type(choice) == "cuda"
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        device = torch.device("cuda" if use_cuda else "cpu")
        return Runtime(device, precision=precision, compile=compile, channels_last=channels_last)
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if use_cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group("nccl" if use_cuda else "gloo")
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    return Runtime(device, rank, world_size, precision, compile, channels_last)


# --- checkpoints ----------------------------------------------------------------------------------------


def atomic_save(obj: Any, path: Path) -> None:
    """Write to a temporary file and rename it, so a kill mid-write never leaves a broken checkpoint.

    A failed write (a full disk) removes the partial file and stops the run with one line: the previous
    checkpoint is untouched, so nothing is lost beyond the steps since it.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as err:
        tmp.unlink(missing_ok=True)
        kept = f"the previous checkpoint {path} is intact" if path.exists() else "no earlier checkpoint existed"
        raise RunError(
            f"could not write the checkpoint ({err}); stopped, {kept}. Free disk space, then --resume.", 1
        ) from err


def run_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The run's arguments as JSON-able values (paths as strings); private ``_`` entries left out."""
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if not k.startswith("_")}


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint's contents, or one line that says why it cannot be used."""
    size = path.stat().st_size
    if size == 0:
        raise RunError(
            f"checkpoint {path} is empty (0 bytes): it was damaged outside training (an interrupted copy, a full "
            "disk). Delete it to start over, or restore a copy."
        )
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - torch raises many types for a bad file
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise RunError(
            f"cannot read checkpoint {path} ({size} bytes: {reason}). Delete it to start over, or restore a copy."
        ) from err


def check_resume(ckpt: dict[str, Any], args: argparse.Namespace) -> None:
    """Refuse a resume whose model-, data- or optimisation-defining arguments differ from the checkpoint's run.

    The checkpoint's values would win silently while training.json recorded the new ones; a smaller --steps
    would export a model that is not what it says.
    """
    if args.steps < ckpt["step"]:
        raise RunError(f"--steps {args.steps} is below the checkpoint's step {ckpt['step']}; resume with more steps.")
    saved = ckpt.get("arguments")
    if saved is None:
        print("warning: the checkpoint predates recorded arguments; assuming they match.", file=sys.stderr)
        return
    # an argument the trainer gained after this checkpoint was written ran at its default, which by convention is
    # the behaviour from before the argument existed
    saved = {**{k: v for k, v in getattr(args, "_defaults", {}).items() if k not in saved}, **saved}
    saved, now = _discriminator_rate_named(saved), _discriminator_rate_named(run_arguments(args))
    changed = [k for k in sorted(set(saved) | set(now)) if k not in RESUMABLE_CHANGES and saved.get(k) != now.get(k)]
    if "lr_decay_from" in changed and still_constant(saved, ckpt["step"]) and still_constant(now, ckpt["step"]):
        changed.remove("lr_decay_from")  # the rates so far are the same under both schedules: a decay may be added
    elif (
        "lr_decay_from" not in changed
        and saved.get("steps") != now.get("steps")
        and not still_constant(saved, ckpt["step"])
    ):
        raise RunError(
            f"cannot resume {args.out} with --steps {now.get('steps')}: its learning rates already decay "
            f"towards step {saved.get('steps')}, and other --steps would change them mid-run. Resume with "
            f"--steps {saved.get('steps')}."
        )
    if changed:
        diffs = ", ".join(f"--{k.replace('_', '-')} {saved.get(k)} → {now.get(k)}" for k in changed)
        raise RunError(
            f"cannot resume {args.out} with other settings ({diffs}); only --steps (upwards), logging intervals, "
            "--threads, --device, --compile, --channels-last and a --lr-decay-from that starts at or after the "
            "checkpoint may change. Use the run's own arguments, or another --out."
        )


def discriminator_lr(args: argparse.Namespace) -> float:
    """D's (or the critic's) learning rate: ``--lr-d``, or G's ``--lr`` when it is unset.

    The namespace keeps ``None`` for "unset" (the live page offers it as "the generator's", which follows ``--lr``);
    the GAN trainers and the resume check read the rate through this one rule.
    """
    return args.lr if args.lr_d is None else args.lr_d


def _discriminator_rate_named(arguments: dict[str, Any]) -> dict[str, Any]:
    """Name the rate an unset ``--lr-d`` trained D at, so that a run from before a trainer's default ``--lr-d``
    resumes with ``--lr-d`` set to its ``--lr``, and one that set it to its ``--lr`` resumes without it."""
    if "lr_d" not in arguments:
        return arguments
    return {**arguments, "lr_d": discriminator_lr(argparse.Namespace(**arguments))}


def still_constant(arguments: dict[str, Any], step: int) -> bool:
    """Whether a run with these arguments trains at its base learning rates up to ``step``.

    Such a run is, step for step, the start of one that adds a linear decay later, which is why a resume may add
    ``--lr-decay-from`` (the reference CycleGAN's constant-then-decay schedule, decided after the constant part).
    """
    start = arguments.get("lr_decay_from", 1.0)  # trainers without a schedule (the classifier) keep their rate
    return start >= 1 or int(arguments["steps"] * start) >= step


def checkpoint_state(
    recipe: Recipe,
    streams: list[BatchStream],
    ema: EMA | None,
    step: int,
    wall: float,
    arguments: dict[str, Any] | None = None,
    started_from: dict[str, Any] | None = None,
) -> dict:
    rng = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    return {
        "step": step,
        "wall_time": wall,
        "arguments": arguments,
        "nets": {k: v.state_dict() for k, v in recipe.nets.items()},
        "optimizers": {k: v.state_dict() for k, v in recipe.optimizers.items()},
        "schedulers": {k: v.state_dict() for k, v in recipe.schedulers.items()},
        "state": {k: v.state_dict() for k, v in recipe.state.items()},
        "ema": ema.state_dict() if ema else None,
        "streams": [s.state_dict() for s in streams],
        "rng": rng,
        "started_from": started_from,
    }


def restore(
    ckpt: dict[str, Any], path: Path, recipe: Recipe, streams: list[BatchStream], ema: EMA | None
) -> tuple[int, float]:
    try:
        for k, net in recipe.nets.items():
            net.load_state_dict(ckpt["nets"][k])
        for k, opt in recipe.optimizers.items():
            opt.load_state_dict(ckpt["optimizers"][k])
        for k, sched in recipe.schedulers.items():
            if k in ckpt["schedulers"]:
                sched.load_state_dict(ckpt["schedulers"][k])
            else:  # a constant-rate run gaining a decay (check_resume allowed it): the factor is 1 until here
                sched.last_epoch = ckpt["step"]
        for k, obj in recipe.state.items():
            obj.load_state_dict(ckpt["state"][k])
        if ema is not None:
            if ckpt["ema"] is None:
                raise KeyError("ema (the run was started without --ema)")
            ema.load_state_dict(ckpt["ema"])
    except (KeyError, RuntimeError, ValueError) as err:
        reason = str(err).splitlines()[0]
        raise RunError(
            f"checkpoint {path} does not match this model's settings ({reason}). "
            "Resume with the arguments the run started with, or use another --out."
        ) from err
    if dist.is_initialized():  # each rank draws its own data; exact replay is promised for one process
        for s in streams:
            s.rng.manual_seed(s.rng.initial_seed() + ckpt["step"])
    else:
        for s, state in zip(streams, ckpt["streams"], strict=True):
            s.load_state_dict(state)
        torch.set_rng_state(ckpt["rng"]["torch"])
        if "cuda" in ckpt["rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ckpt["rng"]["cuda"])
    return ckpt["step"], ckpt["wall_time"]


# --- the loop -------------------------------------------------------------------------------------------


class Run:
    """One training run that advances a step at a time: the loop of ``python -m train.<model>``, also driven
    step by step by the time-to-quality benchmark.

    Construction does everything before the first step (threads, device, the model's recipe, data streams,
    EMA, resuming from ``OUT/checkpoint.pt``); :meth:`advance` does one training iteration and its
    book-keeping (EMA, schedulers, metrics log, sample grids, checkpoints); :meth:`export` writes the model
    folder. The training clock (:attr:`wall`) counts only time spent inside :meth:`advance`, so that a caller
    that pauses to measure does not inflate the recorded wall time.
    """

    def __init__(
        self,
        args: argparse.Namespace,
        build: Callable[[argparse.Namespace, Runtime], Recipe],
        argv: Sequence[str] | None = None,
    ):
        cores = os.cpu_count() or 1
        if args.threads and args.threads > cores:
            print(f"warning: --threads {args.threads} is more than the {cores} CPUs; using {cores}.", file=sys.stderr)
            args.threads = cores
        if args.threads:
            torch.set_num_threads(args.threads)
        self.args, self.argv = args, argv
        self.out = out = Path(args.out)
        self.ckpt_path = out / CHECKPOINT
        _check_writable(out)
        # --export-only reads the run and writes only OUT/model: the run may be training in another process
        self.read_only = bool(getattr(args, "export_only", False))
        if self.read_only and not self.ckpt_path.is_file():
            raise RunError(f"--export-only: {out} holds no {CHECKPOINT} to export (has the run saved one yet?)")
        ckpt = None
        if self.ckpt_path.exists():
            if not (args.resume or self.read_only):
                raise RunError(
                    f"{out} already holds a run ({CHECKPOINT}). Pass --resume to continue it, or choose another --out."
                )
            ckpt = read_checkpoint(self.ckpt_path)
        args.precision = resolve_precision(args.precision, device_type(args.device), ckpt and ckpt.get("arguments"))
        if ckpt is not None:
            check_resume(ckpt, args)
        self.rt = rt = setup_runtime(args.device, args.precision, args.compile, args.channels_last)
        if rt.is_main and args.precision == "bf16" and not bf16_is_native(rt.device.type):
            print(
                f"warning: this {rt.device.type.upper()} has no bf16 hardware, so bf16 autocast is emulated and runs "
                "many times slower than fp32; a new run is faster with --precision fp32 (or auto).",
                file=sys.stderr,
            )
        torch.manual_seed(args.seed)
        try:
            self.recipe = recipe = build(args, rt)
        except DataError as err:
            raise RunError(str(err)) from err
        for i, ds in enumerate(recipe.datasets):
            if args.batch_size > len(ds[0]):
                raise RunError(
                    f"--batch-size {args.batch_size} is larger than the {len(ds[0])} images of dataset {i + 1}"
                )
        self.streams = [
            BatchStream(tuple(t.to(rt.device) for t in ds), args.batch_size, args.seed * 1000 + 7919 * rt.rank + i)
            for i, ds in enumerate(recipe.datasets)
        ]
        # the training.json of the folder a fine-tuning run started from, carried in its checkpoints (that folder
        # may be replaced before the run ends) into its own training.json as ``started_from``
        self.started_from: dict[str, Any] | None = None
        if ckpt is None and args.init_from is not None:
            load_initial_weights(recipe, args.init_from, announce=rt.is_main)
            self.started_from = model_folder.read_training(Path(args.init_from)) or {}
        self.ema = EMA(recipe.nets[recipe.export_net], recipe.ema) if recipe.ema > 0 else None

        self.step, self.wall = 0, 0.0
        if ckpt is not None:
            self.step, self.wall = restore(ckpt, self.ckpt_path, recipe, self.streams, self.ema)
            self.started_from = ckpt.get("started_from")
            if rt.is_main:
                verb = "Exporting" if self.read_only else "Resuming from"
                print(f"{verb} step {self.step} ({self.ckpt_path})", file=sys.stderr)
        elif args.resume and rt.is_main:
            print(f"No checkpoint in {out}; starting a new run.", file=sys.stderr)
        if rt.is_main and not self.read_only:
            (out / "samples").mkdir(parents=True, exist_ok=True)
            _truncate_log(out / METRICS_LOG, self.step)
        if self.step == 0 and rt.world_size > 1:  # same initial weights everywhere (DDP broadcasts them)
            torch.manual_seed(args.seed + 1 + rt.rank)
        for net in recipe.nets.values():
            net.train()
        self.images_seen = 0
        self.losses: dict[str, float] = {}
        self._log_wall, self._log_seen = self.wall, 0

    def draw(self) -> tuple[Batch, ...]:
        """The next batch of every dataset (what a recipe's step calls)."""
        batches = tuple(s.next() for s in self.streams)
        self.images_seen += sum(len(b[0]) for b in batches) * self.rt.world_size
        return batches

    @property
    def model(self) -> nn.Module:
        """The model as it would be exported now (the EMA average when ``--ema`` is on), in training mode."""
        return self.ema.model if self.ema else self.recipe.nets[self.recipe.export_net]

    def advance(self) -> dict[str, float]:
        """One training iteration and its book-keeping; returns the step's losses."""
        args, recipe, rt = self.args, self.recipe, self.rt
        t0 = time.time()
        losses = recipe.step(self.step, self.draw)
        bad = {k: v for k, v in losses.items() if not math.isfinite(v)}
        if bad:
            last = torch.load(self.ckpt_path, weights_only=True)["step"] if self.ckpt_path.exists() else None
            kept = (
                f"the last good checkpoint (step {last}) is kept in {self.ckpt_path}"
                if last is not None
                else "no checkpoint was written yet"
            )
            raise NonFiniteLossError(
                f"non-finite loss at step {self.step}: {bad}; stopped, {kept}. Try a lower learning rate."
            )
        if self.ema is not None:
            self.ema.update(recipe.nets[recipe.export_net])
        with warnings.catch_warnings():
            # schedules count training steps, not each optimiser's own steps: OT-GAN's critic sits out the first
            # step (n_gen), and torch would warn that its schedule moved before it did
            warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)` before")
            for sched in recipe.schedulers.values():
                sched.step()
        self.step += 1
        self.losses = losses
        self.wall += time.time() - t0
        step = self.step
        if step % args.log_every == 0 or step == args.steps:
            rate = (self.images_seen - self._log_seen) / max(self.wall - self._log_wall, 1e-9)
            self._log_wall, self._log_seen = self.wall, self.images_seen
            if rt.is_main:
                record = {"step": step, **losses, "images_per_s": round(rate, 1), "wall_time": round(self.wall, 2)}
                with open(self.out / METRICS_LOG, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record) + "\n")
        t1 = time.time()
        if rt.is_main and recipe.preview and (step % args.sample_every == 0 or step == args.steps):
            write_grid(recipe, self.ema, self.out / "samples" / f"step_{step:07d}.png")
        self.wall += time.time() - t1  # grids and checkpoints are part of a run's wall time
        if step % args.ckpt_every == 0 or step == args.steps:
            t1 = time.time()
            self.save_checkpoint()
            self.wall += time.time() - t1
        return losses

    def save_checkpoint(self) -> None:
        if self.rt.is_main:
            state = checkpoint_state(
                self.recipe,
                self.streams,
                self.ema,
                self.step,
                self.wall,
                run_arguments(self.args),
                self.started_from,
            )
            atomic_save(state, self.ckpt_path)

    def export(self) -> Path:
        """Write ``OUT/model`` (weights, config, training.json, log, sample grid, and the discriminator when the
        recipe names one); the finished run's folder. training.json records the step reached, which is
        ``--steps`` for a run trained to the end and less for one exported early (the app's live training)."""
        model_dir = self.out / "model"
        if self.rt.is_main:
            final = export_model(self.recipe, self.ema)
            results = self.recipe.finish(final) if self.recipe.finish else {}
            export_folder(
                final,
                model_dir,
                self.args,
                self.argv,
                self.wall,
                self.rt,
                results,
                self.out,
                self.step,
                self.started_from,
                # a run training in another process has logged and drawn past its checkpoint: the folder shows
                # the checkpoint's own curve and samples
                read_only=self.read_only,
            )
            if self.read_only:
                write_grid(self.recipe, self.ema, model_dir / model_folder.SAMPLES, latest=False)
            if self.recipe.discriminator:
                save_discriminator(plain_copy(self.recipe.nets[self.recipe.discriminator]), model_dir)
            print(f"Exported {model_dir}" + "".join(f"; {k} {v:.4g}" for k, v in results.items()), file=sys.stderr)
        return model_dir

    def close(self) -> None:
        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def run(
    args: argparse.Namespace,
    build: Callable[[argparse.Namespace, Runtime], Recipe],
    argv: Sequence[str] | None = None,
) -> Path:
    """Train ``build``'s recipe to ``--steps`` with a progress bar; return the exported model folder.

    Under ``--export-only``, export the checkpoint's model as it stands instead, without a step of training."""
    r = Run(args, build, argv)
    if r.read_only:
        model_dir = r.export()
        r.close()
        return model_dir
    tty = sys.stderr.isatty()
    bar = tqdm(total=args.steps, initial=r.step, disable=None if r.rt.is_main else True, dynamic_ncols=True)
    progress = PlainProgress(r.step, args.steps) if r.rt.is_main and not tty else None
    with bar:
        while r.step < args.steps:
            losses = r.advance()
            bar.update(1)
            if r.step % args.log_every == 0:
                bar.set_postfix({k: f"{v:.3g}" for k, v in losses.items()}, refresh=False)
            if progress:
                progress.update(r.step, r.images_seen, losses)
    model_dir = r.export()
    r.close()
    return model_dir


class PlainProgress:
    """Progress for a log file (nohup, CI): one plain line every ``every`` seconds and at the last step, where
    tqdm's bar would be silent or unreadable. ``step 1200/10000 (12%) · 164 images/s · loss 0.12 · ETA 43 min``."""

    def __init__(self, start: int, total: int, every: float = 30.0):
        self.total, self.every = total, every
        self.t_start = self.t_last = time.time()
        self.step_start, self.seen_last = start, 0

    def update(self, step: int, images_seen: int, losses: dict[str, float]) -> None:
        now = time.time()
        if now - self.t_last < self.every and step < self.total:
            return
        rate = (images_seen - self.seen_last) / max(now - self.t_last, 1e-9)
        steps_per_s = (step - self.step_start) / max(now - self.t_start, 1e-9)
        eta = (self.total - step) / max(steps_per_s, 1e-9)
        shown = " ".join(f"{k} {v:.3g}" for k, v in list(losses.items())[:4])
        print(
            f"step {step}/{self.total} ({100 * step / self.total:.0f}%) · {rate:.0f} images/s · {shown} · "
            f"ETA {_duration(eta)}",
            file=sys.stderr,
            flush=True,
        )
        self.t_last, self.seen_last = now, images_seen


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def load_initial_weights(recipe: Recipe, folder: Path, announce: bool = True) -> None:
    """Start the recipe's exported network (and its discriminator, when the folder holds one) from ``folder``'s
    weights: ``--init-from``, fine-tuning a finished model. The folder's own config must describe the same
    network as this run's arguments; a mismatch is refused with what differs, never silently half-loaded.
    Weights load through safetensors (no pickle), so any folder is safe to point at."""
    folder = Path(folder)
    d_folder = model_folder.discriminator_folder(folder) if recipe.discriminator else None
    for name, path in [(recipe.export_net, folder)] + ([(recipe.discriminator, d_folder)] if d_folder else []):
        net = recipe.nets[name]
        try:
            source = model_folder.load_model(path)
        except (model_folder.ModelLoadError, OSError) as err:
            raise RunError(f"--init-from {folder}: {err}") from err
        if type(source) is not type(net):
            raise RunError(
                f"--init-from {path} holds a {type(source).__name__}; this trainer's {name} is a {type(net).__name__}."
            )
        # the constructors' arguments, as config.json records them (a tuple of widths reads back as a list), less
        # those that record the training objective only (a fine-tune may change a loss weight)
        mine, theirs = (
            {k: v for k, v in json.loads(json.dumps(m._hub_mixin_config)).items() if k not in net.objective_fields}
            for m in (net, source)
        )
        if mine != theirs:
            diffs = ", ".join(
                f"{k} {theirs.get(k)} there, {mine.get(k)} here"
                for k in sorted(mine | theirs)
                if mine.get(k) != theirs.get(k)
            )
            raise RunError(
                f"--init-from {path}: its {name} differs from this run's ({diffs}); pass the arguments its "
                "training.json records."
            )
        net.load_state_dict(source.state_dict())  # copies into this run's tensors (device, layout, float32)
        if announce:
            print(f"Starting the {name} from {path}", file=sys.stderr)
    if recipe.discriminator and d_folder is None and announce:
        print(f"note: {folder} holds no discriminator/; the {recipe.discriminator} starts fresh.", file=sys.stderr)


def export_model(recipe: Recipe, ema: EMA | None) -> ZooModel:
    model = ema.model if ema else recipe.nets[recipe.export_net]
    return plain_copy(model)


def plain_copy(model: nn.Module) -> nn.Module:
    """A CPU copy in eval mode and the standard memory layout (safetensors stores only contiguous tensors)."""
    return copy.deepcopy(model).cpu().eval().to(memory_format=torch.contiguous_format)


@torch.no_grad()
def preview_images(recipe: Recipe, ema: EMA | None) -> torch.Tensor:
    """The sample grid's images (fixed inputs) from the model as it would be exported, in eval mode, on the CPU."""
    model = ema.model if ema else recipe.nets[recipe.export_net]
    was_training = model.training
    model.eval()
    images = recipe.preview(model)
    model.train(was_training)
    return images.float().cpu()


def write_grid(recipe: Recipe, ema: EMA | None, path: Path, latest: bool = True) -> None:
    """The preview grid as ``path`` and, with ``latest``, as ``latest.png`` beside it (what export copies)."""
    images = to_unit(preview_images(recipe, ema))
    from torchvision.utils import save_image  # imported here: it pulls in torch._dynamo, seconds on `--help`

    save_image(images, path, nrow=recipe.preview_rows, padding=2, pad_value=0.5)
    if latest:
        save_image(images, path.parent / "latest.png", nrow=recipe.preview_rows, padding=2, pad_value=0.5)


def export_folder(
    model: ZooModel,
    folder: Path,
    args: argparse.Namespace,
    argv: Sequence[str] | None,
    wall: float,
    rt: Runtime,
    results: dict[str, float],
    out: Path,
    steps: int | None = None,
    started_from: dict[str, Any] | None = None,
    read_only: bool = False,
) -> None:
    """Save the model folder (zoo.folder) with what a model card needs: exact command, seed, steps (those reached;
    default ``--steps``), wall time, hardware, the thinned metrics log and the last preview grid; a fine-tuning
    run (``--init-from``) adds ``started_from``, the training record of the model it started from, so that the
    card can show the whole cost and both commands.

    A GAN's generator is stored in half precision, like its discriminator: it is only ever sampled from (training
    resumes from the checkpoint, in float32), and its samples change by far less than bf16 autocast's rounding
    during training. Translators and classifiers (the evaluator's rulers) keep float32.

    ``read_only`` (``--export-only``): the run may be training on in another process, so the log is cut at ``steps``
    and the caller draws the sample grid, rather than copying the run's latest one."""
    save_model(model, folder, half=model.kind == "generator")
    command_args = sys.argv[1:] if argv is None else list(argv)
    module = sys.modules["__main__"].__spec__.name if getattr(sys.modules["__main__"], "__spec__", None) else None
    module = getattr(args, "_module", None) or module or "train"
    launcher = f"torchrun --nproc_per_node={rt.world_size} -m" if rt.world_size > 1 else "python -m"
    info = {
        "command": f"{launcher} {module} " + shlex.join(str(a) for a in command_args),
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k[0] != "_"},
        "seed": args.seed,
        "steps": args.steps if steps is None else steps,
        "batch_size": args.batch_size,
        "wall_time_s": round(wall, 1),
        "hardware": hardware(rt),
        "world_size": rt.world_size,
        "torch": torch.__version__,
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "results": results,
    }
    if started_from is not None:
        info["started_from"] = started_from
    write_training(folder, info)
    write_training_log(folder, out / METRICS_LOG, up_to_step=steps if read_only else None)
    if not read_only:  # the caller draws the checkpoint's own grid
        write_samples(folder, out / "samples" / "latest.png")


def hardware(rt: Runtime) -> str:
    """What the wall time was measured on: the GPU, or the CPU's model, vector instructions and threads (the same
    recipe runs 20 times slower in bf16 on an AVX2-only CPU than on one with AVX-512 BF16)."""
    if rt.device.type == "cuda":
        return f"{rt.world_size}× {torch.cuda.get_device_name(rt.device)}"
    threads = torch.get_num_threads()
    isa = torch.backends.cpu.get_cpu_capability() + (" + BF16" if bf16_is_native("cpu") else "")
    isa += " + AMX" if has_amx() else ""
    plural = "s" if threads != 1 else ""
    return f"{rt.world_size}× CPU ({cpu_name()}, {platform.machine()} {isa}, {threads} thread{plural})"


def has_amx() -> bool:
    """Whether this x86 CPU has AMX tiles (Intel since Sapphire Rapids): oneDNN runs bf16 matrix products on them
    rather than on AVX-512 BF16, so a run's wall time depends on them as well as on the vector instructions."""
    try:
        return platform.machine().lower() in ("x86_64", "amd64") and bool(torch.cpu._is_amx_tile_supported())
    except (AttributeError, RuntimeError, TypeError):  # a torch without the probe
        return False


def cpu_name() -> str:
    """The CPU's model name from Linux's /proc/cpuinfo, else whatever ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name") and ":" in line:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _truncate_log(path: Path, step: int) -> None:
    """Drop log lines written after the checkpoint we resume from (that work is being redone), and any line a
    kill cut short or a disk damaged: the log is a record, never a reason to refuse a resume."""
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    kept = model_folder.lines_up_to(lines, step)
    path.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")


def _check_writable(out: Path) -> None:
    """Fail before loading data or models when --out cannot hold a run, and leave nothing behind: the nearest
    existing folder must take a new folder (permissions do not say everything: under /proc, on a read-only mount,
    or as root, who passes every access check)."""
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} is a file, not a folder")
    existing = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise RunError(f"--out {out} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunError(f"--out {out} is not writable (no write permission on {existing})")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".write-probe-", dir=existing))
    except OSError as err:
        raise RunError(f"--out {out} is not writable: {existing}: {err.strerror or err}") from None
