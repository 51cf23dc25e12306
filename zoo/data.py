"""MNIST and USPS as tensors in the zoo's convention, augmentation, and picking examples out of a test set.

Images come back as float tensors N×1×28×28 in [-1, 1] with int64 labels. USPS is stored as 16×16 digits that
fill their frame; it is bilinearly upsampled to 28×28 so both domains share one shape (``native=True`` keeps
16×16 for display).

The data directory is resolved as: explicit argument (the ``--data-dir`` flag) > ``$GAN_ZOO_DATA`` >
``./data`` > ``../shared/data`` beside the checkout. Nothing is downloaded unless ``download=True``.
"""

from __future__ import annotations

import functools
import gzip
import os
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "GAN_ZOO_DATA"
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
USPS_FILE = Path("USPS") / "usps.h5"
SPLITS = ("train", "test")


class DataError(RuntimeError):
    """A dataset is missing or unreadable; the message says where we looked and what to do.

    ``searched`` and ``expected`` (for a missing dataset) let an app word its own advice (``advice_for_apps``):
    the message's advice is for the trainers' command line.
    """

    def __init__(self, message: str, searched: Sequence[Path] = (), expected: str = "") -> None:
        super().__init__(message)
        self.searched, self.expected = list(searched), expected


def advice_for_apps(err: DataError) -> str:
    """What a user of the apps can do about ``err`` (Markdown): where the app looked, how to give it the data."""
    if not err.searched:  # a file was found but is unreadable: the message names it and says what to do
        return str(err)
    places = ", ".join(f"`{p}`" for p in err.searched)
    return (
        f"Looked in {places}. {err.expected}\n\n"
        "To give the app its data, put it in `./data` (in the folder you start the app from), or anywhere and "
        f"start the app with `{ENV_VAR}=/path/to/data streamlit run app.py` (or `python gradio_app.py`). To fetch "
        'MNIST and USPS once (needs internet): `python -c "import zoo.data as d; d.load_mnist(download=True); '
        'd.load_usps(download=True)"`.'
    )


def candidate_dirs(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Data directories in the order they are searched."""
    if data_dir is not None:
        return [Path(data_dir).expanduser()]
    found = []
    if os.environ.get(ENV_VAR):
        found.append(Path(os.environ[ENV_VAR]).expanduser())
    found += [Path.cwd() / "data", REPO_ROOT / "data", REPO_ROOT.parent / "shared" / "data"]
    unique = []
    for path in found:
        if path.resolve() not in [p.resolve() for p in unique]:
            unique.append(path)
    return unique


def _mnist_paths(root: Path, split: str) -> tuple[Path, Path] | None:
    raw = root / "MNIST" / "raw"
    paths = []
    for stem in MNIST_FILES[split]:
        for name in (stem, stem + ".gz"):
            if (raw / name).is_file():
                paths.append(raw / name)
                break
        else:
            return None
    return paths[0], paths[1]


def _not_found(what: str, searched: list[Path], hint: str) -> DataError:
    places = "\n".join(f"  - {p}" for p in searched)
    return DataError(
        f"{what} not found. Searched:\n{places}\n{hint}\n"
        f"Point to your data with --data-dir DIR or {ENV_VAR}=DIR, or pass --download to fetch it with "
        "torchvision (needs internet).",
        searched,
        hint,
    )


def resolve_data_dir(data_dir: str | os.PathLike | None = None, dataset: str = "mnist") -> Path:
    """The first searched directory that holds ``dataset`` ("mnist" or "usps")."""
    searched = candidate_dirs(data_dir)
    for root in searched:
        if dataset == "mnist" and _mnist_paths(root, "train") and _mnist_paths(root, "test"):
            return root
        if dataset == "usps" and (root / USPS_FILE).is_file():
            return root
    if dataset == "mnist":
        raise _not_found("MNIST", searched, "Expected MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].")
    raise _not_found("USPS", searched, f"Expected {USPS_FILE} (the 16×16 HDF5 with train/test groups).")


def _read_idx(path: Path, expected_magic: int) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
        magic, count = struct.unpack(">II", data[:8])
        if magic != expected_magic:
            raise ValueError(f"magic number {magic}, expected {expected_magic}")
        dims = [count]
        if expected_magic == 2051:
            dims += list(struct.unpack(">II", data[8:16]))
        header = 8 + 4 * (len(dims) - 1)
        array = np.frombuffer(data, dtype=np.uint8, offset=header)
        if array.size != int(np.prod(dims)):
            raise ValueError(f"{array.size} bytes of data for shape {dims}")
        return array.reshape(dims)
    except (OSError, EOFError, ValueError, struct.error) as err:
        raise DataError(f"Corrupt or truncated MNIST file {path}: {err}. Delete it and download again.") from err


def to_signed(images_01: torch.Tensor) -> torch.Tensor:
    """[0, 1] → [-1, 1]."""
    return images_01 * 2 - 1


def to_unit(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] → [0, 1], clamped (generators may overshoot slightly before tanh saturates)."""
    return ((images + 1) / 2).clamp(0, 1)


@functools.lru_cache(maxsize=8)
def _load_mnist(root: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    image_path, label_path = _mnist_paths(root, split)
    images = _read_idx(image_path, 2051)
    labels = _read_idx(label_path, 2049)
    if len(images) != len(labels):
        raise DataError(f"{image_path} holds {len(images)} images but {label_path} holds {len(labels)} labels.")
    # In place, the same operations as to_signed(x / 255): one 188 MB tensor for MNIST's training set instead of
    # three (each fresh allocation costs as much as the arithmetic): 280 → 90 ms.
    x = torch.from_numpy(images.astype(np.float32)).div_(255).mul_(2).sub_(1).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def load_mnist(
    split: str = "train", data_dir: str | os.PathLike | None = None, download: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST images N×1×28×28 in [-1, 1] and labels (60,000 train / 10,000 test)."""
    x, y = _load_mnist(_located("mnist", split, data_dir, download), split)
    return x.clone(), y.clone()


@functools.lru_cache(maxsize=8)
def _load_usps16(root: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    import h5py

    path = root / USPS_FILE
    try:
        with h5py.File(path, "r") as f:
            data = np.asarray(f[split]["data"], dtype=np.float32)
            target = np.asarray(f[split]["target"], dtype=np.int64)
    except (OSError, KeyError, ValueError) as err:
        raise DataError(
            f"Corrupt or unreadable USPS file {path}: {err}. Expected groups train/test with data and target."
        ) from err
    if data.ndim != 2 or data.shape[1] != 256 or len(data) != len(target):
        raise DataError(f"Unexpected USPS layout in {path}: data {data.shape}, target {target.shape}.")
    x = torch.from_numpy(data).clamp_(0, 1).view(-1, 1, 16, 16)
    return x, torch.from_numpy(target)


def load_usps(
    split: str = "train",
    data_dir: str | os.PathLike | None = None,
    download: bool = False,
    native: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """USPS images in [-1, 1]: N×1×28×28 (bilinear upsampling), or N×1×16×16 with ``native=True``."""
    x16, y = _load_usps16(_located("usps", split, data_dir, download), split)
    x = to_signed(x16)
    return (x.clone() if native else usps_to_28(x)), y.clone()


def usps_to_28(x16: torch.Tensor) -> torch.Tensor:
    """Upsample 16×16 USPS-style images to the zoo's 28×28."""
    return F.interpolate(x16, size=(28, 28), mode="bilinear", align_corners=False).clamp_(-1, 1)


def in_mnist_box(x28: torch.Tensor, box: int = 20) -> torch.Tensor:
    """Shrink full-frame 28×28 digits (USPS's framing) into MNIST's ``box``×``box`` box, centred in 28×28.

    USPS digits fill their frame; MNIST's were scaled to fit 20×20 and padded. MNIST classifiers read USPS's
    training digits right 99.3 % of the time so framed, against 98.3 % full-frame (the zoo's ``classifier-mnist``).
    """
    small = F.interpolate(x28, size=(box, box), mode="bilinear", align_corners=False, antialias=True)
    before = (28 - box) // 2
    return F.pad(small, (before, 28 - box - before, before, 28 - box - before), value=-1.0).clamp_(-1, 1)


def to_16(x28: torch.Tensor) -> torch.Tensor:
    """Downsample 28×28 images to USPS's native 16×16 (for display next to real USPS digits)."""
    return F.interpolate(x28, size=(16, 16), mode="bilinear", align_corners=False, antialias=True).clamp_(-1, 1)


def _located(dataset: str, split: str, data_dir: str | os.PathLike | None, download: bool) -> Path:
    """The folder holding ``dataset`` (fetched first when ``download``), after checking the split's name."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if download:
        (_download_mnist if dataset == "mnist" else _download_usps)(data_dir)
    return resolve_data_dir(data_dir, dataset).resolve()


def _download_root(data_dir: str | os.PathLike | None) -> Path:
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return Path.cwd() / "data"


def _download_mnist(data_dir: str | os.PathLike | None) -> None:
    try:
        resolve_data_dir(data_dir, "mnist")
        return
    except DataError:
        pass
    from torchvision import datasets

    root = _download_root(data_dir)
    for train in (True, False):
        try:
            datasets.MNIST(root=str(root), train=train, download=True)
        except Exception as err:  # noqa: BLE001 - network errors come in many types
            raise DataError(f"Could not download MNIST into {root}: {err}") from err


def _download_usps(data_dir: str | os.PathLike | None) -> None:
    """Fetch USPS with torchvision and store it in the zoo's HDF5 layout (values in [0, 1])."""
    try:
        resolve_data_dir(data_dir, "usps")
        return
    except DataError:
        pass
    import h5py
    from torchvision import datasets

    root = _download_root(data_dir)
    target = root / USPS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".h5.part")
    try:
        with h5py.File(tmp, "w") as f:
            for split in SPLITS:
                ds = datasets.USPS(root=str(target.parent), train=split == "train", download=True)
                group = f.create_group(split)
                group["data"] = (np.asarray(ds.data, dtype=np.float32) / 255.0).reshape(-1, 256)
                group["target"] = np.asarray(ds.targets, dtype=np.int64)
    except Exception as err:  # noqa: BLE001
        tmp.unlink(missing_ok=True)
        raise DataError(f"Could not download USPS into {target.parent}: {err}") from err
    os.replace(tmp, target)


def random_affine(
    x: torch.Tensor,
    degrees: float = 10.0,
    scale: float = 0.1,
    shift: float = 2.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Small random rotations, scalings and shifts (in pixels) of a batch in [-1, 1]; background stays -1."""
    n = x.shape[0]
    rand = torch.rand(n, 4, generator=generator).to(x.device) * 2 - 1
    angle = rand[:, 0] * degrees * torch.pi / 180
    s = 1 + rand[:, 1] * scale
    cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
    tx, ty = rand[:, 2] * shift * 2 / x.shape[-1], rand[:, 3] * shift * 2 / x.shape[-2]
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1


# --- picking examples to show --------------------------------------------------------------------------------


def pick_examples(labels: torch.Tensor, digits: Sequence[int], seed: int = 0) -> list[int]:
    """One index per requested digit (in that order), chosen at random by seed; digits absent are skipped."""
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    shuffled = labels[order]
    picks = []
    for d in digits:
        hits = torch.nonzero(shuffled == int(d)).flatten()
        if len(hits):
            picks.append(int(order[hits[0]]))
    return picks


def random_examples(n: int, total: int, seed: int = 0) -> list[int]:
    """n distinct indices out of ``total``, reproducible by seed."""
    return torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:n].tolist()
