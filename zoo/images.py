"""Image tensors ↔ pictures: PIL images, PNG grids and strips, animated GIFs; uploads and drawings → digits.

Outputs follow the zoo's convention (N×1×H×W or 1×H×W in [-1, 1]); pixels are upscaled with nearest neighbour
so that 28×28 digits stay crisp on screen instead of being blurred by the browser. The other way, an uploaded
file is decoded (``read_image``, bounded by PIL's decompression-bomb guard) and any drawing becomes an
MNIST-style 28×28 digit (``preprocess_sketch``), whichever front end it came from.
"""

from __future__ import annotations

import io
import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageSequence, UnidentifiedImageError

from .data import to_signed, to_unit


class UnreadableImageError(ValueError):
    """An uploaded file is not an image PIL can decode."""


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """N×1×H×W (or 1×H×W, H×W) in [-1, 1] → N×H×W uint8 grey levels."""
    x = images.detach().float().cpu()
    while x.dim() < 4:
        x = x.unsqueeze(0)
    return (to_unit(x[:, 0]) * 255).round().to(torch.uint8).numpy()


def to_pil(image: torch.Tensor, scale: int = 1) -> Image.Image:
    """One image (1×H×W, H×W or 1×1×H×W) as a greyscale PIL image, ``scale`` times larger."""
    pil = Image.fromarray(to_uint8(image)[0])
    return pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST) if scale > 1 else pil


def to_pils(images: torch.Tensor, scale: int = 1) -> list[Image.Image]:
    return [to_pil(img, scale) for img in images]


def grid(images: torch.Tensor, nrow: int = 8, scale: int = 1, padding: int = 2, pad_value: int = 128) -> Image.Image:
    """Images tiled ``nrow`` per row with a grey border, as one PIL image."""
    tiles = to_uint8(images)
    n, h, w = tiles.shape
    nrow = max(1, min(nrow, n))
    rows = math.ceil(n / nrow)
    canvas = np.full((rows * (h + padding) + padding, nrow * (w + padding) + padding), pad_value, dtype=np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, nrow)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        canvas[top : top + h, left : left + w] = tile
    pil = Image.fromarray(canvas)
    return pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST) if scale > 1 else pil


def strip(images: torch.Tensor, scale: int = 1, padding: int = 2) -> Image.Image:
    """All images in one row (a walk's frames, a batch of translations)."""
    return grid(images, nrow=len(images), scale=scale, padding=padding)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes(frames: torch.Tensor, scale: int = 4, duration_ms: int = 120, boomerang: bool = False) -> bytes:
    """An endlessly looping animated GIF of the frames (N×1×H×W); ``boomerang`` plays them back and forth.

    PIL merges consecutive identical frames into one longer frame, so the frame count is that of distinct
    consecutive images.
    """
    pils = to_pils(frames, scale)
    if boomerang and len(pils) > 2:
        pils = pils + pils[-2:0:-1]
    buffer = io.BytesIO()
    pils[0].save(buffer, format="GIF", save_all=True, append_images=pils[1:], duration=duration_ms, loop=0)
    return buffer.getvalue()


def gif_frame_count(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as img:
        return sum(1 for _ in ImageSequence.Iterator(img))


def read_image(data: bytes) -> np.ndarray:
    """An uploaded file's bytes → H×W×C (or H×W) uint8 array for ``preprocess_sketch``."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            mode = "RGBA" if img.mode in ("RGBA", "LA", "P", "PA") else ("L" if img.mode in ("L", "1", "I") else "RGB")
            return np.asarray(img.convert(mode))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        raise UnreadableImageError(
            "This file could not be read as an image: upload a PNG or JPEG of a single digit."
        ) from err


# --- sketches: a drawing or an upload → an MNIST-style digit ---------------------------------------------


class EmptyDrawingError(ValueError):
    """The canvas or image holds no strokes."""


def preprocess_sketch(image: np.ndarray, threshold: float = 0.1) -> torch.Tensor:
    """Turn a drawing (white-on-black or black-on-white, any size) into 1×1×28×28 in [-1, 1] the MNIST way.

    MNIST digits were cropped to their bounding box, scaled to fit 20×20 keeping the aspect ratio, and placed
    in 28×28 so that their centre of mass is at the centre. Accepts H×W grey, H×W×3 RGB or H×W×4 RGBA
    (strokes read from alpha when the background is transparent), uint8 or float in [0, 1].
    """
    ink = _ink(np.asarray(image))
    if ink.max(initial=0.0) < threshold:
        raise EmptyDrawingError("The drawing is empty: draw a digit (white strokes on black) first.")
    rows = np.flatnonzero(ink.max(axis=1) >= threshold)
    cols = np.flatnonzero(ink.max(axis=0) >= threshold)
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    t = torch.from_numpy(np.ascontiguousarray(crop, dtype=np.float32))[None, None]
    digit = F.interpolate(t, size=(new_h, new_w), mode="bilinear", align_corners=False, antialias=True)[0, 0]
    canvas = torch.zeros(28, 28)
    top, left = (28 - new_h) // 2, (28 - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = digit
    mass = canvas.sum()
    ys, xs = torch.arange(28.0), torch.arange(28.0)
    cy = float((canvas.sum(1) * ys).sum() / mass)
    cx = float((canvas.sum(0) * xs).sum() / mass)
    shift_y, shift_x = round(13.5 - cy), round(13.5 - cx)
    shift_y = int(np.clip(shift_y, -top, 28 - (top + new_h)))
    shift_x = int(np.clip(shift_x, -left, 28 - (left + new_w)))
    canvas = torch.roll(canvas, shifts=(shift_y, shift_x), dims=(0, 1))
    return to_signed(canvas.clamp(0, 1))[None, None]


def _ink(image: np.ndarray) -> np.ndarray:
    """Stroke intensity in [0, 1], 1 = ink, whatever the input's layout and polarity."""
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"Expected an H×W or H×W×C image, got shape {image.shape}.")
    img = image.astype(np.float32)
    if np.issubdtype(image.dtype, np.integer) or img.max(initial=0) > 1.0:
        img = img / 255.0
    if img.ndim == 3:
        if img.shape[2] == 4 and img[..., 3].min() < 0.99:
            return img[..., 3]  # transparent canvas: every opaque pixel is a stroke, whatever its colour
        if img.shape[2] not in (1, 3, 4):
            raise ValueError(f"Expected 1, 3 or 4 channels, got {img.shape[2]}.")
        img = img[..., :3].mean(axis=2)
    # background is the majority colour: if it is light, invert so that ink is bright
    return 1.0 - img if np.median(img) > 0.5 else img
