"""zoo.images: tensors to pictures (PIL, grids, GIFs), uploads decoded, drawings prepared the MNIST way."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from zoo import images
from zoo.images import EmptyDrawingError, preprocess_sketch


def test_to_uint8_maps_the_range_and_to_pil_upscales_crisply() -> None:
    x = torch.tensor([[[-1.0, 1.0], [0.0, 2.0]]])  # 1×2×2, 2.0 overshoots
    assert images.to_uint8(x).tolist() == [[[0, 255], [128, 255]]]
    pil = images.to_pil(x, scale=3)
    assert pil.size == (6, 6) and pil.mode == "L"
    assert np.asarray(pil)[:3, 3:].min() == 255  # nearest neighbour: a whole 3×3 block per pixel


def test_grid_and_strip_geometry() -> None:
    batch = torch.zeros(5, 1, 28, 28)
    assert images.grid(batch, nrow=2, padding=2).size == (2 * 30 + 2, 3 * 30 + 2)
    assert images.strip(batch, scale=2).size == (2 * (5 * 30 + 2), 2 * 32)
    png = images.png_bytes(images.strip(batch))
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size == (152, 32)


def test_gif_has_one_frame_per_distinct_image_and_loops() -> None:
    frames = torch.linspace(-1, 1, 16).view(16, 1, 1, 1).expand(16, 1, 28, 28).contiguous()
    data = images.gif_bytes(frames, scale=2)
    assert data.startswith(b"GIF89a")
    assert images.gif_frame_count(data) == 16
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.size == (56, 56) and gif.info.get("loop") == 0
    assert images.gif_frame_count(images.gif_bytes(frames, boomerang=True)) == 16 + 14


def test_read_image_accepts_pictures_and_rejects_garbage() -> None:
    rgb = Image.new("RGB", (40, 30), "white")
    buffer = io.BytesIO()
    rgb.save(buffer, format="JPEG")
    assert images.read_image(buffer.getvalue()).shape == (30, 40, 3)
    with pytest.raises(images.UnreadableImageError, match="PNG or JPEG"):
        images.read_image(b"not an image at all")
    with pytest.raises(images.UnreadableImageError):
        images.read_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)  # a truncated PNG


# --- drawings and uploads → MNIST-style digits ---


def _stroke_canvas(size: int = 280) -> np.ndarray:
    canvas = np.zeros((size, size, 4), dtype=np.uint8)
    canvas[60:220, 130:150, :] = 255  # a white "1", opaque
    return canvas


def test_sketch_is_mnist_like():
    x = preprocess_sketch(_stroke_canvas())
    assert x.shape == (1, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    ink = (x[0, 0] + 1) / 2
    rows = torch.nonzero(ink.sum(1) > 0.05).flatten()
    assert 18 <= rows[-1] - rows[0] + 1 <= 21  # the longest side scaled to 20 pixels
    ys = torch.arange(28.0)
    cy = float((ink.sum(1) * ys).sum() / ink.sum())
    cx = float((ink.sum(0) * ys).sum() / ink.sum())
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1  # centred by mass


def test_sketch_polarity_and_layouts_agree():
    rgba = _stroke_canvas()
    grey_white_on_black = rgba[..., 0]
    black_on_white = 255 - grey_white_on_black
    transparent = rgba.copy()
    transparent[..., 3] = np.where(rgba[..., 0] > 0, 255, 0)
    transparent[..., :3] = 0  # black strokes on a transparent canvas (Gradio's sketchpad)
    reference = preprocess_sketch(rgba)
    for image in (grey_white_on_black, black_on_white, transparent, rgba[..., :3] / 255.0):
        assert torch.allclose(preprocess_sketch(image), reference, atol=1e-5)


def test_empty_canvas_is_a_clear_error():
    with pytest.raises(EmptyDrawingError, match="empty"):
        preprocess_sketch(np.zeros((200, 200, 4), dtype=np.uint8))
    with pytest.raises(ValueError):
        preprocess_sketch(np.zeros((0,)))
