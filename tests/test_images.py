"""zoo.images: tensors to pictures (PIL, grids, GIFs), uploads decoded, drawings prepared the MNIST way."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

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
    assert images.read_image(buffer.getvalue()).shape == (30, 40)  # grey: what preprocessing reads
    with pytest.raises(images.UnreadableImageError, match="PNG, JPEG, GIF, BMP, WebP"):
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


# --- uploads: bounded formats, pixels and memory ---


def _encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_of_size(width: int, height: int) -> bytes:
    """A real RGBA PNG of any size, written row by row (a 9400×9400 one is 350 kB, as in issue 13)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (4 * width)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_uploads_are_limited_to_the_uploaders_formats() -> None:
    picture = Image.new("RGB", (40, 30), "white")
    for fmt in images.UPLOAD_FORMATS:
        assert images.read_image(_encoded(picture, fmt)).shape == (30, 40)
    refused = [_encoded(picture, fmt) for fmt in ("TIFF", "PPM", "ICO", "PCX", "TGA")]
    refused.append(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 40 30\n")  # PostScript: Ghostscript, never
    for data in refused:
        with pytest.raises(images.UnreadableImageError, match="PNG, JPEG, GIF, BMP, WebP"):
            images.read_image(data)
    assert set(images.UPLOAD_EXTENSIONS) == {"png", "jpg", "jpeg", "gif", "bmp", "webp"}


def test_oversized_uploads_are_refused_before_decoding() -> None:
    with pytest.raises(images.ImageTooLargeError, match=r"9400×9400 pixels \(88.4 megapixels\); the limit for PNG"):
        images.read_image(png_of_size(9400, 9400))
    with pytest.raises(images.ImageTooLargeError, match="limit for WebP is 4.2"):
        images.read_image(_encoded(Image.new("RGB", (2500, 2000)), "WEBP", quality=10, method=0))
    assert issubclass(images.ImageTooLargeError, images.UnreadableImageError)  # the pages catch both alike


def _worst_uploads(folder: Path) -> dict[str, Path]:
    """The most expensive picture of each kind the uploader accepts, at its pixel limit (and one over it)."""
    w, h = 4096, 3072  # 12.58 megapixels, just under MAX_UPLOAD_PIXELS
    assert w * h <= images.MAX_UPLOAD_PIXELS
    grey = np.full((h, w), 230, np.uint8)
    grey[800:2200, 1900:2150] = 40  # a "1"
    rgb = np.dstack([grey] * 3)
    ink = np.where(grey < 100, 255, 0).astype(np.uint8)
    pictures = {
        "rgba.png": (Image.fromarray(np.dstack([rgb, np.full_like(grey, 255)])), "PNG", {"compress_level": 1}),
        "transparent.png": (Image.fromarray(np.dstack([rgb, ink])), "PNG", {"compress_level": 1}),
        "grey16.png": (Image.fromarray(grey.astype(np.uint16) * 257), "PNG", {}),
        "palette.png": (Image.fromarray(grey).convert("P"), "PNG", {"transparency": 0}),
        "rgba.bmp": (Image.fromarray(np.dstack([rgb, np.full_like(grey, 255)])), "BMP", {}),
        "progressive.jpg": (Image.fromarray(rgb), "JPEG", {"quality": 90, "progressive": True}),
        "cmyk.jpg": (Image.fromarray(rgb).convert("CMYK"), "JPEG", {"quality": 90}),
        "rgba.webp": (Image.fromarray(np.dstack([rgb, ink])[:1776, :2364]), "WEBP", {"quality": 50, "method": 0}),
    }
    paths = {}
    for name, (picture, fmt, params) in pictures.items():
        paths[name] = folder / name
        picture.save(paths[name], format=fmt, **params)
    paths["9400x9400.png"] = folder / "9400x9400.png"
    paths["9400x9400.png"].write_bytes(png_of_size(9400, 9400))
    return paths


MEASURE = """
import io, os, sys
from pathlib import Path
from PIL import Image
from zoo import images

def kb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field))

for fmt in images.UPLOAD_FORMATS:  # warm up: every plugin imported, every decoder used once
    small = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(small, format=fmt)
    images.read_image(small.getvalue())
for path in sys.argv[1:]:
    data = Path(path).read_bytes()
    pid = os.fork()  # each upload in a fresh copy of this warmed-up process: nothing left over from the last
    if pid == 0:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # peak RSS := current RSS
        before = kb("VmRSS:")
        try:
            images.preprocess_sketch(images.read_image(data))
            outcome = "accepted"
        except images.UnreadableImageError as err:
            outcome = type(err).__name__
        print(Path(path).name, outcome, (kb("VmHWM:") - before) / 1024, flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="measures peak memory through Linux /proc")
def test_any_accepted_upload_costs_under_100_mb(tmp_path: Path) -> None:
    """What the Draw page does with an upload (decode, then prepare the digit), peak memory above the baseline."""
    paths = _worst_uploads(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *map(str, paths.values())], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    measured = {name: (outcome, float(mb)) for name, outcome, mb in map(str.split, result.stdout.splitlines())}
    assert set(measured) == set(paths)
    assert measured.pop("9400x9400.png")[0] == "ImageTooLargeError"
    assert all(outcome == "accepted" for outcome, _ in measured.values()), measured
    assert max(mb for _, mb in measured.values()) < 100, measured


# --- photos of digits on paper ---


def photo_of(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """A 28×28 uint8 MNIST digit (ink bright) as a phone photo of ink on paper, JPEG or PNG bytes.

    Tinted paper (grey levels 170–245, cream to cool), a dark pen, the digit at 30–75 % of the short side
    anywhere in the frame, lighting that falls off across the sheet (up to ±22 %), sometimes a vignette, a soft
    shadow over a corner or the table's edge along one side, sensor noise, JPEG at quality 50–90, and 15 % of
    them 2000–3000 pixels on the short side.
    """
    large = rng.random() < 0.15
    short = int(rng.integers(2000, 3000)) if large else int(rng.integers(200, 900))
    long = int(short * rng.uniform(1.0, 1.4))
    h, w = (short, long) if rng.random() < 0.5 else (long, short)
    work = min(1.0, 700 / max(h, w))  # drawn at ≤700 pixels, then enlarged as a phone's optics would blur it
    hh, ww = max(1, round(h * work)), max(1, round(w * work))
    size = int(min(hh, ww) * rng.uniform(0.3, 0.75))
    ink = np.asarray(Image.fromarray(digit).resize((size, size), Image.BICUBIC), dtype=np.float32) / 255
    canvas = np.zeros((hh, ww), np.float32)
    top, left = int(rng.integers(0, hh - size + 1)), int(rng.integers(0, ww - size + 1))
    canvas[top : top + size, left : left + size] = np.clip(ink * rng.uniform(0.8, 1.2), 0, 1)
    paper = rng.uniform(170, 245) + np.array([rng.uniform(0, 12), rng.uniform(-3, 6), rng.uniform(-15, 0)])
    pen = rng.uniform(10, 100) + np.array([0, 0, rng.uniform(0, 40)])
    img = paper[None, None] * (1 - canvas[..., None]) + pen[None, None] * canvas[..., None]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 + rng.uniform(0.1, 0.45) * ((xx / ww - 0.5) * np.cos(angle) + (yy / hh - 0.5) * np.sin(angle))
    if rng.random() < 0.3:  # vignette
        light *= 1 - rng.uniform(0.05, 0.25) * 2 * ((xx / ww - 0.5) ** 2 + (yy / hh - 0.5) ** 2)
    if rng.random() < 0.3:  # a soft shadow over one corner (a hand, the phone)
        angle = rng.uniform(0, 2 * np.pi)
        edge = (xx / ww - 0.5) * np.cos(angle) + (yy / hh - 0.5) * np.sin(angle) - rng.uniform(0.25, 0.45)
        light *= 1 - rng.uniform(0.15, 0.35) / (1 + np.exp(-edge * rng.uniform(10, 40)))
    img *= light[..., None]
    if rng.random() < 0.3:  # the table beyond the sheet: a thin dark strip along one side
        t = max(2, int(rng.uniform(0.01, 0.05) * min(hh, ww)))
        strip = [np.s_[:t], np.s_[-t:], np.s_[:, :t], np.s_[:, -t:]][int(rng.integers(4))]
        img[strip] = rng.uniform(20, 80)
    picture = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if (hh, ww) != (h, w):
        picture = picture.resize((w, h), Image.BILINEAR)
    noisy = np.asarray(picture).astype(np.int16)
    noise = rng.standard_normal((h, w), dtype=np.float32) * rng.uniform(1, 8)
    noisy = np.clip(noisy + noise[..., None].astype(np.int16), 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        return _encoded(Image.fromarray(noisy), "JPEG", quality=int(rng.integers(50, 91)))
    return _encoded(Image.fromarray(noisy), "PNG", compress_level=1)


PHOTOS = 300


@pytest.mark.slow
def test_photos_of_digits_on_paper_are_read_by_the_mnist_classifier(shared_data: Path) -> None:
    """Issue 14: an off-white sheet with a grey 7 was read as an 8, because the whole photo became the digit."""
    import zoo
    from zoo.data import load_mnist

    x, y = load_mnist("test", shared_data)
    classifier = zoo.load("classifier-mnist", source="local")
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(y), PHOTOS, replace=False)
    prepared = []
    for i in chosen:
        digit = images.to_uint8(x[i])[0]
        prepared.append(preprocess_sketch(images.read_image(photo_of(digit, rng))))
    with torch.inference_mode():
        read = classifier(torch.cat(prepared)).argmax(1)
    accuracy = float((read == y[chosen]).float().mean())
    print(f"photos read correctly: {100 * accuracy:.1f} % of {PHOTOS}")
    assert accuracy >= 0.95


def _sheet(size: tuple[int, int] = (300, 400), level: float = 230.0) -> np.ndarray:
    return np.full(size, level, np.float32)


def _seven(sheet: np.ndarray, ink: float = 90.0) -> np.ndarray:
    sheet[80:100, 120:260] = ink  # the bar
    for row in range(100, 240):
        col = int(255 - (row - 100) * 0.6)
        sheet[row, col - 9 : col + 9] = ink  # the stem
    return sheet


def test_grey_paper_uneven_light_and_the_tables_edge_do_not_reach_the_digit() -> None:
    reference = preprocess_sketch(np.where(_seven(_sheet(level=255.0), ink=0.0) < 128, 0, 255).astype(np.uint8))
    photo = _seven(_sheet()) * np.linspace(0.8, 1.05, 400, dtype=np.float32)[None, :]  # light from the right
    photo[:, :6] = 40.0  # the table beyond the sheet's left edge
    photo += np.random.default_rng(0).normal(0, 4, photo.shape).astype(np.float32)
    prepared = preprocess_sketch(np.clip(photo, 0, 255).astype(np.uint8))
    assert float((prepared - reference).abs().mean()) < 0.05  # the same 7, cropped to the digit, full contrast
    assert float(prepared.max()) >= float(reference.max()) - 0.05


def test_a_blank_sheet_is_empty_and_clean_drawings_are_unchanged() -> None:
    blank = _sheet() * np.linspace(0.8, 1.05, 400, dtype=np.float32)[None, :]
    blank += np.random.default_rng(0).normal(0, 4, blank.shape).astype(np.float32)
    with pytest.raises(EmptyDrawingError):
        preprocess_sketch(np.clip(blank, 0, 255).astype(np.uint8))
    drawing = _stroke_canvas()[..., 0].astype(np.float32) / 255
    drawing[59, 130:150] = drawing[220, 130:150] = 0.5  # anti-aliased ends
    assert np.array_equal(images.clean_ink(drawing), drawing)


def test_check_picture_reads_only_the_header(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_of_size(9400, 9400))
    with pytest.raises(images.ImageTooLargeError, match="9400×9400"):
        images.check_picture(path)
    small = _encoded(Image.new("RGBA", (280, 280)), "PNG")
    assert images.check_picture(small) == (280, 280)
    with pytest.raises(images.ImageTooLargeError, match="limit for PNG is 0.0"):
        images.check_picture(small, max_pixels=10_000)
    with pytest.raises(images.UnreadableImageError, match="could not be read"):
        images.check_picture(_encoded(Image.new("L", (4, 4)), "TIFF"))


# --- pictures with words (issue 14: aligned λ grids, equal arithmetic results, numbered tiles, wrapped walks) ---


def test_labelled_grid_aligns_columns_and_widens_them_for_long_captions() -> None:
    rows = [-torch.ones(3, 1, 28, 28), torch.ones(3, 1, 28, 28)]  # black digits, then white ones
    picture = images.labelled_grid(rows, [["a", "b", "c"], ["d", "e", "f"]], row_titles=("x", "G(x)"), scale=3)
    pixels = np.asarray(picture.convert("L"))
    left = images._text_width("G(x)") + 4 + 4
    assert picture.size[0] == left + 3 * 84 + 2 * 4
    tops = [0, 84 + images.CAPTION_SIZE + 5 + 4]
    for c in range(3):  # every tile of a column starts at the same x, whatever its row
        x = left + c * (84 + 4)
        assert pixels[tops[0] : tops[0] + 84, x : x + 84].max() == 0  # black digit of row 0
        assert pixels[tops[1] : tops[1] + 84, x : x + 84].min() == 255  # white digit of row 1
    wide = images.labelled_grid([torch.zeros(2, 1, 28, 28)], [["a much longer caption than a tile", "b"]], scale=1)
    assert wide.size[0] >= 2 * images._text_width("a much longer caption than a tile")


def test_numbered_grid_and_stack() -> None:
    picture = images.numbered_grid(torch.zeros(64, 1, 28, 28), 8, 2, [str(i % 10) for i in range(64)])
    assert picture.size[1] == 8 * (56 + images.CAPTION_SIZE + 5 + 4) - 4
    tall = images.stack([picture, picture], ["one", "two"])
    assert tall.size == (picture.size[0], 2 * (picture.size[1] + images.CAPTION_SIZE + 6) + 12)


@pytest.mark.parametrize(("n", "per_row"), [(1, 1), (16, 16), (17, 9), (31, 16), (63, 16), (125, 16)])
def test_frames_per_row_wraps_long_walks_into_even_rows(n: int, per_row: int) -> None:
    assert images.frames_per_row(n) == per_row
