import gzip

import pytest
import torch

from zoo import data
from zoo.data import DataError, load_mnist, load_usps


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


def test_pick_and_random_examples():
    labels = torch.tensor([3, 1, 3, 2, 1, 3])
    picks = data.pick_examples(labels, [3, 9, 1], seed=0)
    assert len(picks) == 2 and labels[picks[0]] == 3 and labels[picks[1]] == 1
    assert {data.pick_examples(labels, [3], seed=s)[0] for s in range(20)} == {0, 2, 5}
    assert sorted(data.random_examples(6, 6, seed=1)) == list(range(6))
    assert data.random_examples(3, 100, seed=2) == data.random_examples(3, 100, seed=2)


def test_the_apps_advice_names_the_apps_way_to_give_data_not_the_trainers_flags(tmp_path, monkeypatch) -> None:
    """Issue 14: without data the app suggested --data-dir and --download, which are trainer flags."""
    monkeypatch.setenv("GAN_ZOO_DATA", str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(data, "REPO_ROOT", tmp_path / "repo")
    with pytest.raises(DataError) as err:
        data.resolve_data_dir(None, "usps")
    assert err.value.searched[0] == tmp_path / "nowhere" and "usps.h5" in err.value.expected
    advice = data.advice_for_apps(err.value)
    assert f"`{tmp_path / 'nowhere'}`" in advice and "GAN_ZOO_DATA=/path/to/data streamlit run app.py" in advice
    assert "`./data`" in advice and "--data-dir" not in advice and "--download" not in advice
    assert data.advice_for_apps(DataError("Corrupt file x.gz.")) == "Corrupt file x.gz."
