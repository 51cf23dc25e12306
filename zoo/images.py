"""Image tensors ↔ pictures: PIL images, PNG grids and strips, animated GIFs, and reading uploads.

Inputs follow the zoo's convention (N×1×H×W or 1×H×W in [-1, 1]); pixels are upscaled with nearest neighbour
so that 28×28 digits stay crisp on screen instead of being blurred by the browser.
"""

from __future__ import annotations

import io
import math

import numpy as np
import torch
from PIL import Image, ImageSequence, UnidentifiedImageError

from .data import to_unit


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
    """An uploaded file's bytes → H×W×C (or H×W) uint8 array for ``zoo.data.preprocess_sketch``."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            mode = "RGBA" if img.mode in ("RGBA", "LA", "P", "PA") else ("L" if img.mode in ("L", "1", "I") else "RGB")
            return np.asarray(img.convert(mode))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        raise UnreadableImageError(
            "This file could not be read as an image: upload a PNG or JPEG of a single digit."
        ) from err
