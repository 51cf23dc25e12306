"""Image tensors ↔ pictures: PIL images, PNG grids and strips, animated GIFs; uploads and drawings → digits.

Outputs follow the zoo's convention (N×1×H×W or 1×H×W in [-1, 1]); pixels are upscaled with nearest neighbour
so that 28×28 digits stay crisp on screen instead of being blurred by the browser. The other way, an uploaded
file is decoded within fixed memory (``read_image``: formats, pixel count and decoded size bounded) and becomes an
MNIST-style 28×28 digit (``preprocess_sketch``), whichever front end it came from: a drawing on a canvas, an
exported picture, or a phone photo of a digit on paper (``clean_ink`` removes the paper, its lighting and noise).
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont, ImageOps, ImageSequence, UnidentifiedImageError

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


# --- pictures with words: readings under digits, numbered tiles ----------------------------------------------

MIN_FRAME_PX = 48  # the smallest a digit may be shown and still be read (a 28×28 digit at 2× is 56 px)
CAPTION_SIZE = 13  # pixels: the font of the words drawn into pictures
INK, GOOD, BAD, PAPER = (49, 51, 63), (21, 130, 55), (200, 40, 40), (255, 255, 255)  # Streamlit's text colour


@dataclass(frozen=True)
class Label:
    """Words drawn under a tile; ``tone`` colours them: "good" (kept, as intended), "bad" (flipped), "plain"."""

    text: str
    tone: str = "plain"


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's bundled font (no file to ship, no network); ASCII and "·" only, so labels avoid ✓, − and λ."""
    return ImageFont.load_default(size=size)


def _text_width(text: str, size: int = CAPTION_SIZE) -> int:
    left, _, right, _ = _font(size).getbbox(text) if text else (0, 0, 0, 0)
    return int(right - left)


def labelled_grid(
    rows: Sequence[torch.Tensor | Sequence[Image.Image]],
    captions: Sequence[Sequence[Label | str]] | None = None,
    row_titles: Sequence[str] = (),
    column_titles: Sequence[str] = (),
    scale: int = 3,
    gap: int = 4,
) -> Image.Image:
    """Rows of digits as one picture: words under every tile, titles left of the rows and above the columns.

    A row is a batch (K×1×H×W, shown ``scale`` times its size) or pictures already at display size. One picture
    instead of many keeps the columns aligned whatever the page width (the browser scales it as a whole) and
    costs one PNG instead of one element per digit. A caption wider than its tile widens every column, so that
    captions never overlap.
    """
    tiles = [_tiles(row, scale) for row in rows]
    labels = [[c if isinstance(c, Label) else Label(c) for c in row] for row in (captions or [])]
    font = _font(CAPTION_SIZE)
    line = CAPTION_SIZE + 5
    texts = [c.text for row in labels for c in row] + list(column_titles)
    cell = max([t.width for row in tiles for t in row] + [_text_width(t) + 4 for t in texts])
    heights = [max(t.height for t in row) for row in tiles]
    left = max([_text_width(t) + gap + 4 for t in row_titles] + [0])
    top = line if column_titles else 0
    band = line if any(labels) else 0
    columns = max(len(row) for row in tiles)
    size = (left + columns * (cell + gap) - gap, top + sum(h + band + gap for h in heights) - gap)
    picture = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(picture)
    for c, title in enumerate(column_titles):
        draw.text((left + c * (cell + gap) + cell / 2, 0), title, fill=INK, font=font, anchor="ma")
    y = top
    for r, (row, h) in enumerate(zip(tiles, heights, strict=True)):
        if r < len(row_titles):
            draw.text((0, y + h / 2), row_titles[r], fill=INK, font=font, anchor="lm")
        for c, tile in enumerate(row):
            x = left + c * (cell + gap)
            picture.paste(tile, (x + (cell - tile.width) // 2, y + (h - tile.height) // 2))
            if r < len(labels) and c < len(labels[r]):
                label = labels[r][c]
                colour = {"good": GOOD, "bad": BAD}.get(label.tone, INK)
                draw.text((x + cell / 2, y + h + 2), label.text, fill=colour, font=font, anchor="ma")
        y += h + band + gap
    return picture


def _tiles(row: torch.Tensor | Sequence[Image.Image], scale: int) -> list[Image.Image]:
    if isinstance(row, torch.Tensor):
        return to_pils(row, scale)
    return list(row)


def stack(pictures: Sequence[Image.Image], titles: Sequence[str], gap: int = 12) -> Image.Image:
    """Pictures one above the other, each under its title (ASCII: Pillow's bundled font), left-aligned."""
    line = CAPTION_SIZE + 6
    width = max([p.width for p in pictures] + [_text_width(t) for t in titles])
    height = sum(line + p.height + gap for p in pictures) - gap
    canvas = Image.new("RGB", (width, height), PAPER)
    draw, y = ImageDraw.Draw(canvas), 0
    for picture, title in zip(pictures, titles, strict=True):
        draw.text((0, y), title, fill=INK, font=_font(CAPTION_SIZE))
        canvas.paste(picture, (0, y + line))
        y += line + picture.height + gap
    return canvas


def numbered_grid(images: torch.Tensor, nrow: int = 8, scale: int = 2, notes: Sequence[str] = ()) -> Image.Image:
    """Tiles numbered from 0, row by row, so that a user can name them ("#12 · 7": number, then ``notes[i]``)."""
    captions = [f"#{i}" + (f" · {notes[i]}" if i < len(notes) else "") for i in range(len(images))]
    rows = [images[i : i + nrow] for i in range(0, len(images), nrow)]
    return labelled_grid(rows, [captions[i : i + nrow] for i in range(0, len(images), nrow)], scale=scale)


def frames_per_row(n: int, widest: int = 16) -> int:
    """How many frames a row of a walk holds: all of them up to ``widest``, else rows of even length."""
    rows = math.ceil(n / widest)
    return math.ceil(n / rows)


def gif_bytes(frames: torch.Tensor, scale: int = 4, duration_ms: int = 120, boomerang: bool = False) -> bytes:
    """An endlessly looping animated GIF of the frames (N×1×H×W); ``boomerang`` plays them back and forth.

    PIL merges consecutive identical frames into one longer frame, so the frame count is that of distinct
    consecutive images.
    """
    pils = to_pils(frames, scale)
    if boomerang and len(pils) > 2:
        pils = pils + pils[-2:0:-1]
    buffer = io.BytesIO()
    # optimize=False: PIL would otherwise search each frame's palette for unused greys, which takes 4× longer
    # (110 ms for a 63-frame walk at 224 pixels) and gives a larger file for these greyscale frames.
    save = {"save_all": True, "append_images": pils[1:], "duration": duration_ms, "loop": 0, "optimize": False}
    pils[0].save(buffer, format="GIF", **save)
    return buffer.getvalue()


def gif_frame_count(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as img:
        return sum(1 for _ in ImageSequence.Iterator(img))


# --- uploads: bounded decoding ------------------------------------------------------------------------------

# PIL format → file extensions, for the uploaders and for decoding: nothing else is even parsed (PIL would
# otherwise try every plugin it has, PostScript through Ghostscript included).
UPLOAD_FORMATS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "GIF": ("gif",), "BMP": ("bmp",), "WEBP": ("webp",)}
UPLOAD_EXTENSIONS = [ext for exts in UPLOAD_FORMATS.values() for ext in exts]
# Pixels accepted, checked from the header before decoding. A 12-megapixel phone photo (4032×3024) fits; PIL
# decodes it at up to 4 bytes a pixel (50 MB). Pillow's WebP decoder holds about 15 bytes a pixel, so WebP gets
# a third of that. tests/test_images.py measures the worst case of each format: under 100 MB extra.
MAX_UPLOAD_PIXELS = 12_600_000
FORMAT_MAX_PIXELS = {"WEBP": 4_200_000}
WORK_SIDE = 512  # decoded uploads are reduced to at most this many pixels a side: plenty for a 28×28 digit


class ImageTooLargeError(UnreadableImageError):
    """An upload has more pixels than its format's limit (refused before decoding it)."""


def read_image(data: bytes) -> np.ndarray:
    """An uploaded file's bytes → H×W uint8 grey picture, at most ``WORK_SIDE`` a side, for ``preprocess_sketch``.

    Bounded: only ``UPLOAD_FORMATS`` are parsed; the size is checked from the header, right after opening and
    before any pixel is decoded; JPEGs are decoded at a reduced scale straight to grey; other formats are
    decoded once, split into 8-bit grey (and alpha) planes, released, and the planes reduced by an integer
    factor, so the full-size picture is never converted to anything larger than itself.
    A transparent background (most pixels transparent: a drawing exported from an editor) comes back as dark
    ink on white, the ink being the opaque pixels whatever their colour; an opaque picture comes back as its
    luminance, transparent corners showing white.
    """
    with _explained_failures(), Image.open(io.BytesIO(data), formats=list(UPLOAD_FORMATS)) as img:
        _check_size(img)
        if img.format == "JPEG":
            img.draft("L", (WORK_SIDE, WORK_SIDE))  # libjpeg scales by 1/2…1/8 while decoding
        img.load()
        grey, alpha = _grey_and_alpha(img)
        if grey is not img:
            img.close()  # the full-size decoded picture goes now, before anything else is allocated
        return np.asarray(_combine(_reduce(grey), _reduce(alpha) if alpha is not None else None))


def check_picture(source: bytes | str | os.PathLike, max_pixels: int | None = None) -> tuple[int, int]:
    """(width, height) of a picture in an accepted format and size, read from its header: nothing is decoded.

    For front ends whose toolkit decodes uploads itself (Gradio's sketchpad): call it first, so that an
    oversized or foreign file is refused with the same messages as ``read_image`` gives, at no memory cost.
    ``max_pixels`` lowers the format's limit.
    """
    fp = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    with _explained_failures(), Image.open(fp, formats=list(UPLOAD_FORMATS)) as img:
        _check_size(img, max_pixels)
        return img.size


def _check_size(img: Image.Image, max_pixels: int | None = None) -> None:
    width, height = img.size
    limit = FORMAT_MAX_PIXELS.get(img.format or "", MAX_UPLOAD_PIXELS)
    limit = min(limit, max_pixels) if max_pixels else limit
    if width * height > limit:
        raise ImageTooLargeError(
            f"This picture is {width}×{height} pixels ({width * height / 1e6:.1f} megapixels); the limit for "
            f"{_format_name(img.format)} is {limit / 1e6:.1f}: send a smaller picture (one digit needs far fewer)."
        )


@contextlib.contextmanager
def _explained_failures() -> Iterator[None]:
    """PIL's many ways of failing on a file, as the two errors the front ends show as they are."""
    try:
        yield
    except UnreadableImageError:
        raise
    except Image.DecompressionBombError as err:  # beyond PIL's own limit: refused when opening
        raise ImageTooLargeError(
            f"This picture has far too many pixels; the limit is {MAX_UPLOAD_PIXELS / 1e6:.1f} megapixels."
        ) from err
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as err:
        raise UnreadableImageError(
            f"This file could not be read as an image: upload a picture of a single digit ({UPLOAD_FORMAT_NAMES})."
        ) from err


def _format_name(pil_format: str | None) -> str:
    return {"WEBP": "WebP"}.get(pil_format or "", pil_format or "this format")


UPLOAD_FORMAT_NAMES = ", ".join(map(_format_name, UPLOAD_FORMATS))  # "PNG, JPEG, GIF, BMP, WebP", for messages


def _grey_and_alpha(img: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """Full-size 8-bit planes of a decoded picture: its luminance, and its alpha when it has one.

    Each mode takes the path that allocates least: a plane is one byte a pixel, where converting to RGBA first
    (or Pillow's own resampling of RGBA, which premultiplies a full-size copy) would take four.
    """
    mode = img.mode
    if mode.startswith("I;16"):  # 16-bit grey PNG: its high byte is the 8-bit picture
        return Image.frombytes("L", img.size, img.tobytes(), "raw", "L;16B" if mode == "I;16B" else "L;16"), None
    if mode in ("P", "PA"):
        grey = img.convert("L")
        if mode == "PA":
            return grey, img.getchannel("A")
        transparency = img.info.get("transparency")
        if transparency is None:
            return grey, None
        table = np.full(256, 255, np.uint8)  # alpha per palette index
        if isinstance(transparency, int):
            table[transparency] = 0
        else:
            table[: len(transparency)] = np.frombuffer(bytes(transparency), np.uint8)[:256]
        return grey, Image.fromarray(table[np.asarray(img)])
    if "A" in img.getbands():
        alpha = img.getchannel("A")
        if _median(alpha) < 128:
            return alpha, alpha  # a transparent background: only the opaque pixels matter, whatever their colour
        return img.convert("L"), alpha
    return (img if mode == "L" else img.convert("L")), None


def _reduce(plane: Image.Image) -> Image.Image:
    """An 8-bit plane reduced by an integer box filter to at most ``WORK_SIDE`` a side (thin strokes fade, stay)."""
    factor = math.ceil(max(plane.size) / WORK_SIDE)
    return plane.reduce(factor) if factor > 1 else plane


def _combine(grey: Image.Image, alpha: Image.Image | None) -> Image.Image:
    if alpha is None:
        return grey
    if _median(alpha) < 128:  # transparent background: the ink is the opaque part, drawn dark on white
        return ImageOps.invert(alpha)
    return Image.composite(grey, Image.new("L", grey.size, 255), alpha)  # transparent corners read as white paper


def _median(plane: Image.Image) -> int:
    counts = np.cumsum(plane.histogram())
    return int(np.searchsorted(counts, counts[-1] / 2))


# --- sketches: a drawing or an upload → an MNIST-style digit ---------------------------------------------


class EmptyDrawingError(ValueError):
    """The canvas or image holds no strokes."""


def preprocess_sketch(image: np.ndarray, threshold: float = 0.1) -> torch.Tensor:
    """Turn a drawing (white-on-black or black-on-white, any size) into 1×1×28×28 in [-1, 1] the MNIST way.

    MNIST digits were cropped to their bounding box, scaled to fit 20×20 keeping the aspect ratio, and placed
    in 28×28 so that their centre of mass is at the centre. Accepts H×W grey, H×W×3 RGB or H×W×4 RGBA
    (strokes read from alpha when the background is transparent), uint8 or float in [0, 1]. A photo of a digit
    on paper is cleaned first (``clean_ink``: paper level, lighting, noise, borders), so that the crop is the
    digit's and not the photo's; a clean drawing comes through that step unchanged.
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
    """Stroke intensity in [0, 1], 1 = ink, whatever the input's layout and polarity.

    A transparent background (most of the alpha channel transparent: Gradio's sketchpad, an exported drawing)
    makes every opaque pixel a stroke, whatever its colour. Otherwise the majority colour is the background
    (light paper: inverted so that ink is bright) and ``clean_ink`` removes what a photo adds to a drawing.
    """
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"Expected an H×W or H×W×C image, got shape {image.shape}.")
    img = image.astype(np.float32)
    if np.issubdtype(image.dtype, np.integer) or img.max(initial=0) > 1.0:
        img = img / 255.0
    if img.ndim == 3:
        if img.shape[2] not in (1, 3, 4):
            raise ValueError(f"Expected 1, 3 or 4 channels, got {img.shape[2]}.")
        if img.shape[2] == 4:
            alpha = img[..., 3]
            if np.median(alpha) < 0.5:
                return alpha
            img = img[..., :3].mean(axis=2) * alpha + (1 - alpha)  # transparent corners read as white paper
        else:
            img = img.mean(axis=2)
    v = 1.0 - img if np.median(img) > 0.5 else img
    return clean_ink(v)


# --- photos: paper, lighting and noise removed before the digit is cropped ------------------------------------

MIN_CONTRAST = 0.08  # strokes must stand this far (in [0, 1]) above the paper, or the picture counts as blank


def clean_ink(v: np.ndarray) -> np.ndarray:
    """Bright-ink intensities (H×W in [0, 1], any background level) → ink in [0, 1] on a background of exactly 0.

    A phone photo of a digit on paper is not a drawing: the paper is grey or tinted, lit unevenly, noisy and
    JPEG-blocky, and the frame may catch the table's edge or a shadow. Cropping such a picture to its "ink"
    crops to the whole photo (every pixel is a little above zero). So, in order:

    1. the paper level is estimated locally, as a grey-scale opening (minimum then maximum filter) with a window
       a quarter of the picture's short side, wider than any pen stroke: strokes go, the paper and its slow
       lighting gradients and shadows stay; it is subtracted;
    2. ink is told from paper by Otsu's threshold on what remains; the paper's own noise (its median and robust
       spread) sets the black point, the strong ink (90th percentile of the ink) the white point, and the
       levels in between are stretched linearly, so stroke edges keep their anti-aliasing;
    3. the ink's connected pieces are kept when they belong to the digit: the largest piece and those near it
       with a fair share of its size; specks, far-away marks, and thin strips along the border (the table
       beyond the sheet, a fold, a shadow's edge) are dropped.

    A clean drawing (background exactly 0, strokes narrower than the window) comes through unchanged.
    """
    v = np.asarray(v, dtype=np.float32)
    above = v - _paper_level(v)
    residual = np.clip(above, 0.0, 1.0)
    threshold = _otsu(residual)
    paper = above[residual <= threshold]  # unclipped: the paper's noise on both sides of its level
    centre = float(np.median(paper)) if paper.size else 0.0
    black = centre + 4.0 * 1.4826 * float(np.median(np.abs(paper - centre))) if paper.size else 0.0
    ink_mask = residual > max(threshold, black)
    pieces = _digit_pieces(ink_mask, residual > black)
    strokes = ink_mask & (pieces > 0)
    if not strokes.any():
        return np.zeros_like(residual)
    white = float(np.percentile(residual[strokes], 90))  # the digit's own ink, not a dark strip it was cut from
    if white - black < MIN_CONTRAST:
        return np.zeros_like(residual)
    return np.clip((residual - black) / (white - black), 0.0, 1.0) * pieces


def _paper_level(v: np.ndarray) -> np.ndarray:
    """The background under the strokes: a grey-scale opening on a ≤64-pixel copy, smoothed and scaled back.

    NumPy and PIL rather than torch: on pictures this small, torch's thread pool costs more than the work.
    """
    h, w = v.shape
    small = Image.fromarray(v, mode="F")
    factor = math.ceil(max(h, w) / 64)
    small = np.asarray(small.reduce(factor) if factor > 1 else small)
    k = max(3, (min(small.shape) // 4) | 1)  # odd, a quarter of the short side: wider than any pen stroke
    eroded = -_window_max(-small, k)  # minimum filter: strokes vanish
    opened = _window_max(eroded, k)  # maximum filter: the paper's level comes back
    smooth = np.lib.stride_tricks.sliding_window_view(np.pad(opened, 1, mode="edge"), (3, 3)).mean(axis=(2, 3))
    return np.asarray(Image.fromarray(smooth.astype(np.float32), mode="F").resize((w, h), Image.BILINEAR))


def _window_max(a: np.ndarray, k: int) -> np.ndarray:
    """Maximum over the k×k window centred on each element (k odd), borders extended by their edge values."""
    padded = np.pad(a, k // 2, mode="edge")
    rows = np.lib.stride_tricks.sliding_window_view(padded, k, axis=0).max(axis=-1)
    return np.lib.stride_tricks.sliding_window_view(rows, k, axis=1).max(axis=-1)


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1] (256 bins): the split that best separates two classes."""
    counts, edges = np.histogram(values, bins=256, range=(0.0, 1.0))
    p = counts.astype(np.float64) / max(1, counts.sum())
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(p)
    m0 = np.cumsum(p * centres)
    total = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total * w0 - m0) ** 2 / (w0 * (1 - w0))
    between[~np.isfinite(between)] = 0
    return float(edges[int(np.argmax(between)) + 1])


def _digit_pieces(strong: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """A 0/1 mask (H×W float) of the ink that makes up the digit (see ``clean_ink``).

    Pieces are chosen among the connected regions of ``strong`` (above Otsu's threshold); each then takes back
    the ``weak`` pixels (above the paper's noise) within a few pixels of it, so a stroke keeps its soft edges
    while faint marks elsewhere stay out.
    """
    h, w = strong.shape
    step = max(1, math.ceil(max(h, w) / 160))  # label on a ≤160-pixel copy (max-pooled: thin strokes survive)
    labels, boxes, sizes = _components(_block_max(strong, step))
    if not sizes:
        return np.zeros((h, w), np.float32)
    sh, sw = labels.shape
    side = min(sh, sw)

    def border_strip(i: int) -> bool:  # the table's edge, a fold or a shadow's edge: thin, long, on the border
        top, left, bottom, right = boxes[i]
        on_border = top == 0 or left == 0 or bottom == sh - 1 or right == sw - 1
        thin, long = sorted((bottom - top + 1, right - left + 1))
        return on_border and thin <= 0.08 * side and long >= 0.25 * side

    candidates = [i for i in range(len(sizes)) if not border_strip(i)] or list(range(len(sizes)))
    main = max(candidates, key=lambda i: sizes[i])
    top, left, bottom, right = boxes[main]
    margin_y, margin_x = 0.5 * (bottom - top + 1), 0.5 * (right - left + 1)
    keep = [
        i
        for i in candidates
        if sizes[i] >= 0.05 * sizes[main]
        and boxes[i][0] <= bottom + margin_y
        and boxes[i][2] >= top - margin_y
        and boxes[i][1] <= right + margin_x
        and boxes[i][3] >= left - margin_x
    ]
    kept = np.isin(labels, np.asarray(keep) + 1)
    reach = math.ceil(max(2, 0.04 * max(h, w)) / step)  # soft stroke edges lie within this reach of strong ink
    near = _window_max(kept, 2 * reach + 1)
    near = near.repeat(step, axis=0).repeat(step, axis=1)[:h, :w] if step > 1 else near
    return (near & (weak | strong)).astype(np.float32)


def _block_max(mask: np.ndarray, step: int) -> np.ndarray:
    """Boolean max over step×step blocks (the last ones partial): a smaller mask where no pixel of ink is lost."""
    if step == 1:
        return mask
    h, w = mask.shape
    padded = np.zeros((math.ceil(h / step) * step, math.ceil(w / step) * step), bool)
    padded[:h, :w] = mask
    return padded.reshape(padded.shape[0] // step, step, padded.shape[1] // step, step).any(axis=(1, 3))


def _components(mask: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]], list[int]]:
    """8-connected components of a boolean mask: labels (0 = none, i + 1 = piece i), boxes and pixel counts."""
    h, w = mask.shape
    labels = np.zeros((h, w), np.int32)
    flat = mask.ravel().tolist()
    out = labels.ravel()
    boxes, sizes = [], []
    for start in np.flatnonzero(mask).tolist():
        if out[start]:
            continue
        label = len(sizes) + 1
        out[start] = label
        stack, count = [start], 0
        top, left, bottom, right = h, w, -1, -1
        while stack:
            p = stack.pop()
            y, x = divmod(p, w)
            count += 1
            top, bottom, left, right = min(top, y), max(bottom, y), min(left, x), max(right, x)
            for dy in (-1, 0, 1):
                ny = y + dy
                if not 0 <= ny < h:
                    continue
                for dx in (-1, 0, 1):
                    nx = x + dx
                    q = ny * w + nx
                    if 0 <= nx < w and flat[q] and not out[q]:
                        out[q] = label
                        stack.append(q)
        boxes.append((top, left, bottom, right))
        sizes.append(count)
    return labels, boxes, sizes
