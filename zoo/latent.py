"""Moving through a generator's latent space: interpolations, walks, directions and vector arithmetic.

Latents are 1-D vectors of ``latent_dim`` (a batch is K×latent_dim); every function returns a K×latent_dim batch
ready for ``generator.decode``. Spherical interpolation (slerp) is the default because a Gaussian latent lives
near a sphere of radius √d: a straight line (lerp) between two samples cuts through the low-density interior,
where the generator has seen few latents (White, "Sampling Generative Networks", 2016).

The functions the views call with user input (``walk_frames``, ``direction_frames``, ``sample_pool``) check it
first: seeds within the generator's range (``MAX_SEED``), walks at most ``MAX_FRAMES`` long, each refusal a
``LatentInputError`` whose message a page can show as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from . import images
from .metrics import Reading, read_digits
from .models import DigitClassifier, Generator

MODES = ("slerp", "lerp")
POOL = 64  # samples offered to vector arithmetic: enough that the preset finds six of one digit and three of another
MAX_SEED = 2**64 - 1  # torch.Generator.manual_seed takes 0 … 2**64 − 1 (negative seeds alias positive ones)
# Frames of one walk or direction sweep. Each costs about 0.2 MB and 1.5 ms on the CPU to decode and show, and
# a strip of them is 60 pixels a frame wide: 128 keeps a walk under a second and its strip under 8,000 pixels
# (32 frames per leg through 5 seeds, 16 through 9).
MAX_FRAMES = 128
FRAME_SCALE = 2  # walk frames are shown at 56 px (images.MIN_FRAME_PX is the floor), in rows of at most …
FRAMES_PER_ROW = 16  # … 16 frames: 962 pixels, within a wide page, so the browser never shrinks them
GIF_SIZES = (112, 224)  # the animated GIF's side in pixels: small, or large enough to watch on a big screen


class LatentInputError(ValueError):
    """Seeds or a walk's length outside what the views accept; the message says the allowed range."""


def check_seed(seed: object) -> int:
    """``seed`` as an int when it is a whole number in [0, MAX_SEED], else a LatentInputError saying so."""
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        shown = repr(seed) if len(repr(seed)) <= 30 else repr(seed)[:27] + "…"
        raise LatentInputError(f"Seeds are whole numbers from 0 to {MAX_SEED:,} (2⁶⁴ − 1), got {shown}.")
    return seed


def walk_length(n_seeds: int, steps_per_segment: int) -> int:
    """Frames in a walk through ``n_seeds`` latents: (K − 1)·(steps − 1) + 1, shared endpoints counted once."""
    return (n_seeds - 1) * (steps_per_segment - 1) + 1


def check_walk(seeds: Sequence[object], steps_per_segment: int) -> list[int]:
    """The seeds as ints, when a walk through them is possible and at most ``MAX_FRAMES`` long."""
    if len(seeds) < 2:
        raise LatentInputError(f"A walk needs at least 2 seeds, got {len(seeds)}.")
    if not isinstance(steps_per_segment, int) or steps_per_segment < 2:
        raise LatentInputError(f"Frames per leg must be a whole number of at least 2, got {steps_per_segment!r}.")
    frames = walk_length(len(seeds), steps_per_segment)
    if frames > MAX_FRAMES:
        raise LatentInputError(
            f"{len(seeds)} seeds at {steps_per_segment} frames per leg make {frames} frames; the limit is "
            f"{MAX_FRAMES}: use fewer seeds or fewer frames per leg."
        )
    return [check_seed(s) for s in seeds]


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    """(1 − t)·z0 + t·z1; a tensor ``t`` of shape (T,) gives T×d."""
    t = torch.as_tensor(t, dtype=z0.dtype, device=z0.device).unsqueeze(-1)
    return (1 - t) * z0 + t * z1


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float | torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Interpolation along the great circle between z0 and z1 (lerp when they are parallel).

    sin((1 − t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1 with Ω the angle between them: for vectors of equal norm
    every point keeps that norm.
    """
    t = torch.as_tensor(t, dtype=z0.dtype, device=z0.device).unsqueeze(-1)
    cos = torch.dot(z0 / z0.norm(), z1 / z1.norm()).clamp(-1, 1)
    omega = torch.arccos(cos)
    sin = torch.sin(omega)
    if sin.abs() < eps:  # (anti)parallel: the great circle is undefined, the straight line is the honest answer
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / sin


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int, mode: str = "slerp") -> torch.Tensor:
    """``steps`` latents from z0 to z1 inclusive (steps × d)."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (the two endpoints), got {steps}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    t = torch.linspace(0, 1, steps, dtype=z0.dtype, device=z0.device)
    return (slerp if mode == "slerp" else lerp)(z0, z1, t)


def walk(zs: torch.Tensor, steps_per_segment: int, mode: str = "slerp") -> torch.Tensor:
    """A path through K latents (K×d), ``steps_per_segment`` frames per leg, shared endpoints kept once.

    Returns (K − 1)·(steps_per_segment − 1) + 1 latents; with two latents it is ``interpolate``.
    """
    if len(zs) < 2:
        raise ValueError(f"a walk needs at least two latents, got {len(zs)}")
    legs = [interpolate(zs[i], zs[i + 1], steps_per_segment, mode) for i in range(len(zs) - 1)]
    return torch.cat([legs[0]] + [leg[1:] for leg in legs[1:]])


def random_direction(dim: int, seed: int) -> torch.Tensor:
    """A unit vector drawn uniformly on the sphere, reproducible by seed."""
    v = torch.randn(dim, generator=torch.Generator().manual_seed(seed))
    return v / v.norm()


def axis_direction(dim: int, index: int) -> torch.Tensor:
    """The unit vector of one latent coordinate."""
    if not 0 <= index < dim:
        raise ValueError(f"axis index must be in [0, {dim}), got {index}")
    v = torch.zeros(dim)
    v[index] = 1.0
    return v


def direction_walk(z: torch.Tensor, direction: torch.Tensor, span: float, steps: int) -> torch.Tensor:
    """z + t·u for ``steps`` values of t evenly spaced in [−span, span], u the unit ``direction``."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    u = direction.to(z) / direction.norm()
    t = torch.linspace(-span, span, steps, dtype=z.dtype, device=z.device).unsqueeze(-1)
    return z + t * u


def vector_arithmetic(za: torch.Tensor, zb: torch.Tensor, zc: torch.Tensor) -> torch.Tensor:
    """mean(A) − mean(B) + mean(C): the DCGAN paper's arithmetic, on groups averaged to steady the result.

    Each group is n×d (or a single d-vector); the result is one d-vector.
    """
    groups = [z.reshape(-1, z.shape[-1]) for z in (za, zb, zc)]
    if any(len(g) == 0 for g in groups):
        raise ValueError("every group of vector arithmetic needs at least one latent")
    a, b, c = (g.mean(0) for g in groups)
    return a - b + c


def arithmetic_terms(za: torch.Tensor, zb: torch.Tensor, zc: torch.Tensor) -> torch.Tensor:
    """[mean(A), mean(B), mean(C), mean(A) − mean(B) + mean(C)] as 4×d, to decode and show side by side."""
    groups = [z.reshape(-1, z.shape[-1]) for z in (za, zb, zc)]
    return torch.stack([g.mean(0) for g in groups] + [vector_arithmetic(za, zb, zc)])


def seed_latents(generator: Generator, seeds: Sequence[int]) -> torch.Tensor:
    """One latent per seed (K×d): the same seed gives the same latent as ``generator.latent(1, seed)``."""
    return torch.cat([generator.latent(1, check_seed(s)) for s in seeds])


@torch.inference_mode()
def walk_frames(
    generator: Generator, seeds: Sequence[int], steps_per_segment: int, mode: str = "slerp"
) -> torch.Tensor:
    """The decoded frames of a walk through the seeds' latents (what the latent-walk views show).

    Validated first (``check_walk``): every view passes user input straight here, so the bounds live here.
    """
    if mode not in MODES:
        raise LatentInputError(f"Interpolation must be one of {', '.join(MODES)}, got {mode!r}.")
    seeds = check_walk(seeds, steps_per_segment)
    return generator.decode(walk(seed_latents(generator, seeds), steps_per_segment, mode))


@torch.inference_mode()
def direction_frames(generator: Generator, seed: int, direction: torch.Tensor, span: float, steps: int) -> torch.Tensor:
    """The decoded frames of the seed's latent moved along ``direction`` from −span to +span."""
    if not isinstance(steps, int) or not 2 <= steps <= MAX_FRAMES:
        raise LatentInputError(f"A direction sweep takes 2 to {MAX_FRAMES} frames, got {steps!r}.")
    if not math.isfinite(span) or not math.isfinite(float(direction.norm())) or float(direction.norm()) == 0:
        raise LatentInputError("The span must be a finite number and the direction a non-zero finite vector.")
    return generator.decode(direction_walk(seed_latents(generator, [seed])[0], direction, span, steps))


@dataclass(frozen=True)
class Pool:
    """Samples to do vector arithmetic on: their latents, images, readings, and the thickness preset's groups."""

    z: torch.Tensor
    samples: torch.Tensor
    readings: list[Reading] | None  # None without a classifier
    preset: dict[str, list[int]]
    description: str


@torch.inference_mode()
def sample_pool(generator: Generator, seed: int, reader: DigitClassifier | None = None, n: int = POOL) -> Pool:
    """``n`` samples of one seed, read by ``reader`` when given, with groups A, B, C of ``thickness_preset``."""
    z = generator.latent(n, check_seed(seed))
    samples = generator.decode(z)
    readings = read_digits(reader, samples) if reader is not None else None
    preset, description = thickness_preset(samples, [r.digit for r in readings] if readings else None)
    return Pool(z, samples, readings, preset, description)


@torch.inference_mode()
def arithmetic(generator: Generator, z: torch.Tensor, groups: Sequence[Sequence[int]]) -> torch.Tensor:
    """Decoded [mean(A), mean(B), mean(C), mean(A) − mean(B) + mean(C)] for groups of indices into ``z``."""
    return generator.decode(arithmetic_terms(*(z[list(g)] for g in groups)))


# --- a preset for vector arithmetic that needs no hand-picking ---------------------------------------------


def ink(images: torch.Tensor) -> torch.Tensor:
    """Mean stroke intensity per image in [0, 1]: a proxy for stroke thickness."""
    return ((images + 1) / 2).clamp(0, 1).flatten(1).mean(1)


def thickness_preset(
    images: torch.Tensor, labels: Sequence[int] | None = None, n: int = 3
) -> tuple[dict[str, list[int]], str]:
    """Groups A, B, C of indices into ``images`` for "thick X − thin X + thin Y ≈ thick Y", and its description.

    Stroke thickness plays the role of the DCGAN paper's "smiling": A and B share the digit X and differ in
    thickness, so mean(A) − mean(B) is a thickness direction that, added to thin Ys, should thicken them.
    Without labels (no classifier) the groups are the thickest, thinnest and middle-ink samples.
    """
    if len(images) < 3 * n:
        raise ValueError(f"the preset needs at least {3 * n} samples, got {len(images)}")
    weight = ink(images)
    order = torch.argsort(weight).tolist()  # thinnest first
    if labels is not None:
        labels = [int(v) for v in labels]
        by_digit = {d: [i for i in order if labels[i] == d] for d in sorted(set(labels))}
        x = max(by_digit, key=lambda d: (len(by_digit[d]), -d))
        others = [d for d in by_digit if d != x and len(by_digit[d]) >= n]
        if len(by_digit[x]) >= 2 * n and others:
            y = max(others, key=lambda d: (len(by_digit[d]), -d))
            groups = {"A": by_digit[x][-n:][::-1], "B": by_digit[x][:n], "C": by_digit[y][:n]}
            return groups, f"thick {x} − thin {x} + thin {y} ≈ thick {y}"
    middle = len(order) // 2 - n // 2
    groups = {"A": order[-n:][::-1], "B": order[:n], "C": order[middle : middle + n]}
    return groups, "thickest − thinnest + medium ≈ thicker medium"


# --- what the views show, rendered once at display size -----------------------------------------------------


@dataclass(frozen=True)
class WalkView:
    """A walk as the pages show it: its frames wrapped into rows (PNG) and an animated GIF, both ready to send."""

    frames: int
    per_row: int
    strip: bytes  # PNG: rows of ``per_row`` frames at FRAME_SCALE
    gif: bytes
    gif_px: int
    caption: str


def walk_view(
    generator: Generator, seeds: Sequence[int], steps_per_segment: int, mode: str = "slerp", gif_px: int = 224
) -> WalkView:
    """``walk_frames`` rendered: readable frames (≥ images.MIN_FRAME_PX) wrapped into rows, and a looping GIF of
    side ``gif_px`` (one of GIF_SIZES) that plays there and back."""
    if gif_px not in GIF_SIZES:
        raise LatentInputError(f"The GIF is {' or '.join(map(str, GIF_SIZES))} pixels a side, got {gif_px!r}.")
    frames = walk_frames(generator, seeds, steps_per_segment, mode)
    per_row = images.frames_per_row(len(frames), FRAMES_PER_ROW)
    strip = images.png_bytes(images.grid(frames, nrow=per_row, scale=FRAME_SCALE))
    gif = images.gif_bytes(frames, scale=gif_px // frames.shape[-1], boomerang=True)
    rows = math.ceil(len(frames) / per_row)
    shape = f", {rows} rows of {per_row}" if rows > 1 else ""
    caption = f"{len(frames)} frames through seeds {list(seeds)} ({mode}{shape})"
    return WalkView(len(frames), per_row, strip, gif, gif_px, caption)


def direction_view(generator: Generator, seed: int, direction: torch.Tensor, span: float, steps: int) -> bytes:
    """``direction_frames`` as a PNG of readable frames wrapped like a walk's."""
    frames = direction_frames(generator, seed, direction, span, steps)
    return images.png_bytes(images.grid(frames, nrow=images.frames_per_row(len(frames), FRAMES_PER_ROW), scale=2))


@dataclass(frozen=True)
class PoolView:
    """The arithmetic pool as shown: the samples numbered with their readings (one PNG), and the preset."""

    picture: bytes  # PNG, 8 a row, "#i · d" under each
    digits: list[int] | None  # the MNIST classifier's reading of each sample; None without a classifier
    preset: dict[str, list[int]]
    description: str


def pool_view(generator: Generator, seed: int, reader: DigitClassifier | None = None) -> PoolView:
    pool = sample_pool(generator, seed, reader)
    digits = [r.digit for r in pool.readings] if pool.readings else None
    picture = images.numbered_grid(pool.samples, 8, 2, [str(d) for d in digits] if digits else ())
    return PoolView(images.png_bytes(picture), digits, pool.preset, pool.description)


ARITHMETIC_TITLES = ("mean(A)", "mean(B)", "mean(C)", "A - B + C")  # ASCII: drawn with Pillow's bundled font


@dataclass(frozen=True)
class ArithmeticView:
    """mean(A), mean(B), mean(C) and the result as one picture of four equal tiles, with what they read as."""

    picture: bytes  # PNG: four tiles of one size, titles above, readings below
    readings: list[Reading] | None
    intended: int | None  # the digit the groups ask for (C's, when A and B read as one digit), if any
    message: str  # "" when the result reads as intended (or nothing was intended); else what went wrong
    picked: bytes  # PNG: the samples of A, B and C, a row each, numbered
    latents: list[dict[str, float | int | str]]  # per picked sample: group, number, ‖z‖ and its first coordinates


def intended_digit(digits: Sequence[int], groups: Sequence[Sequence[int]]) -> int | None:
    """The digit mean(A) − mean(B) + mean(C) should read as: C's commonest reading when A and B read as one digit
    (a style moved from one X to another onto Y), else None (no digit is asked for)."""
    commonest = [max(set(r), key=r.count) if (r := [digits[i] for i in g]) else None for g in groups]
    return commonest[2] if commonest[0] == commonest[1] else None


def arithmetic_view(
    generator: Generator,
    seed: int,
    groups: Sequence[Sequence[int]],
    reader: DigitClassifier | None = None,
    digits: Sequence[int] | None = None,
) -> ArithmeticView:
    """``arithmetic`` on the pool of ``seed`` (same latents as ``pool_view``), read and checked against its intent.

    A weak generator may have no clean style direction: the result can read as another digit than intended,
    and the message says so instead of showing it as a success. ``digits`` are the pool's readings when the
    caller has them (``PoolView.digits``); else the pool is decoded and read again.
    """
    if any(not 0 <= i < POOL for g in groups for i in g):
        raise LatentInputError(f"Sample numbers go from 0 to {POOL - 1}.")
    z = generator.latent(POOL, check_seed(seed))
    decoded = arithmetic(generator, z, groups)
    readings = read_digits(reader, decoded) if reader is not None else None
    intended = None
    if readings is not None:
        digits = digits if digits is not None else [r.digit for r in read_digits(reader, generator.decode(z))]
        intended = intended_digit(digits, groups)
    captions = [images.Label(f"reads {r.digit} ({100 * r.confidence:.0f}%)") for r in readings or []]
    message = ""
    if readings and intended is not None:
        good = readings[3].digit == intended
        captions[3] = images.Label(captions[3].text, "good" if good else "bad")
        if not good:
            message = (
                f"The result reads as {readings[3].digit}, not the {intended} that C asks for: this generator "
                "moves the style and the digit together here. Try another seed of the grid, or more samples "
                "per group."
            )
    picture = images.labelled_grid([decoded], [captions], column_titles=ARITHMETIC_TITLES, scale=5)
    with torch.inference_mode():
        rows = [generator.decode(z[list(g)]) for g in groups]
    numbers = [[f"#{i}" for i in g] for g in groups]
    picked = images.labelled_grid(rows, numbers, row_titles=("A", "B", "C"), scale=2)
    latents = [
        {"group": group, "sample": i, "‖z‖": round(float(z[i].norm()), 2)}
        | {f"z[{k}]": round(float(z[i, k]), 3) for k in range(min(8, generator.latent_dim))}
        for group, g in zip("ABC", groups, strict=True)
        for i in g
    ]
    return ArithmeticView(images.png_bytes(picture), readings, intended, message, images.png_bytes(picked), latents)
