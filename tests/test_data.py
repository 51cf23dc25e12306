import gzip

import numpy as np
import pytest
import torch

from zoo import data
from zoo.data import DataError, EmptyDrawingError, load_mnist, load_usps, preprocess_sketch


def test_mnist_class_counts_and_range(shared_data):
    x, y = load_mnist("train", shared_data)
    assert x.shape == (60000, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() == -1 and x.max() == 1
    assert torch.bincount(y).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    x_test, _ = load_mnist("test", shared_data)
    assert len(x_test) == 10000


def test_usps_class_counts_and_shapes(shared_data):
    x, y = load_usps("train", shared_data)
    assert x.shape == (7291, 1, 28, 28)
    assert torch.bincount(y).tolist() == [1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644]
    x16, y_test = load_usps("test", shared_data, native=True)
    assert x16.shape == (2007, 1, 16, 16)
    assert torch.bincount(y_test).tolist() == [359, 264, 198, 166, 200, 160, 170, 147, 166, 177]
    assert -1 <= x16.min() < -0.99 and 0.99 < x16.max() <= 1


def test_resolution_order(tiny_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.ENV_VAR, str(tiny_data))
    assert data.resolve_data_dir() == tiny_data  # env var before ./data and ../shared/data
    assert data.resolve_data_dir(tiny_data) == tiny_data
    with pytest.raises(DataError):  # an explicit flag is not second-guessed
        data.resolve_data_dir(tmp_path / "elsewhere")


def test_missing_data_lists_every_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "from-env"))
    monkeypatch.setattr(data, "REPO_ROOT", tmp_path / "repo")
    with pytest.raises(DataError) as err:
        load_mnist("train")
    message = str(err.value)
    for place in ("from-env", str(tmp_path / "data"), str(tmp_path / "shared" / "data")):
        assert place in message
    assert "--data-dir" in message and "--download" in message


def test_corrupt_file_is_named(tiny_data, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(tiny_data, root)
    bad = root / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    bad.write_bytes(gzip.compress(b"\x00\x00\x08\x03garbage"))
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz"):
        load_mnist("train", root)
    (root / "USPS" / "usps.h5").write_bytes(b"not hdf5")
    with pytest.raises(DataError, match="usps.h5"):
        load_usps("train", root)


def test_uncompressed_idx_files_are_read(tiny_data, tmp_path):
    import shutil

    root = tmp_path / "plain"
    shutil.copytree(tiny_data, root)
    for path in (root / "MNIST" / "raw").glob("*.gz"):
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    x, y = load_mnist("test", root)
    x_gz, y_gz = load_mnist("test", tiny_data)
    assert torch.equal(x, x_gz) and torch.equal(y, y_gz)


def test_bad_split():
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation")


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
