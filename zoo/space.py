"""Assemble a ready-to-push Hugging Face Space folder for one of the two front ends.

    python -m zoo.space --sdk gradio --out dist/space-gradio      # sdk: gradio, app.py = gradio_app.py
    python -m zoo.space --sdk docker --out dist/space-streamlit   # sdk: docker (Streamlit on port 8501)
    hf upload OWNER/NAME dist/space-gradio --repo-type space      # then push it

The folder holds the app files, the ``zoo`` package's sources and their LICENSE, the chosen model folders under
``weights/`` (the files ``python -m zoo.hub push`` would upload), requirements with CPU-only torch (pyproject.toml's
pins), the Space's README front matter, and for Docker a Dockerfile; the Streamlit Space also gets the MNIST/USPS files
under ``data/`` unless ``--no-data``. Only copies files: it imports neither the apps nor Streamlit/Gradio.

Binding: the Docker Space's Streamlit listens on all interfaces of its container (``--server.address=0.0.0.0`` in
the Dockerfile's command, which overrides the loopback address of the ``.streamlit/config.toml`` it ships), since
the Space's proxy reaches it from outside the container, on ``app_port`` 8501 only. The Gradio Space calls
``launch()`` without a host: Gradio binds 127.0.0.1 unless ``GRADIO_SERVER_NAME`` is set, which Spaces set to
0.0.0.0 (port ``GRADIO_SERVER_PORT``, 7860). Run locally, both apps listen on loopback only.

The package is copied rather than installed because a Space installs its requirements from an index, where the
zoo is not published; beside its ``weights/`` it finds them the way a clone does. Run it from a clone (the apps
live there, not in the package).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from .data import MNIST_FILES, USPS_FILE, DataError, _mnist_paths, resolve_data_dir
from .hub import list_models, published_content, upload_plan, weights_dir
from .models import ModelLoadError

REPO_ROOT = Path(__file__).resolve().parent.parent
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
COMMON_PACKAGES = ("torch", "numpy", "h5py", "safetensors", "huggingface-hub", "pillow")
SDKS = {
    "gradio": {"packages": ("gradio",), "apps": {"gradio_app.py": "app.py"}, "dirs": ()},
    "docker": {
        "packages": ("streamlit", "streamlit-drawable-canvas", "plotly"),
        "apps": {"app.py": "app.py", ".streamlit/config.toml": ".streamlit/config.toml"},
        "dirs": ("pages",),
    },
}
STREAMLIT_PORT = 8501
DOCKERFILE = f"""\
# Streamlit Space (Docker SDK): runs as user 1000, as Spaces require, and serves on app_port {STREAMLIT_PORT}.
FROM python:3.11-slim
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
WORKDIR $HOME/app
COPY --chown=user requirements.txt .
RUN pip install --no-cache-dir --user -r requirements.txt
COPY --chown=user . .
EXPOSE {STREAMLIT_PORT}
# All interfaces of the container (the flag overrides .streamlit/config.toml's loopback): the Space's proxy
# connects from outside it. XSRF protection off: Spaces serve the app in an iframe, where it would reject uploads.
CMD ["streamlit", "run", "app.py", "--server.port={STREAMLIT_PORT}", "--server.address=0.0.0.0", \\
     "--server.headless=true", "--browser.gatherUsageStats=false", "--server.enableXsrfProtection=false"]
"""


ASSEMBLED_BY = "Assembled by `python -m zoo.space`"  # in every Space's README: what --force may replace


class SpaceError(RuntimeError):
    """The Space cannot be assembled; the message says what is missing."""


def declared(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """pyproject.toml's dependencies and every extra's: the project's one list of requirements."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10 has no TOML reader: the installed metadata comes from the same file
        from importlib.metadata import requires

        return [r.split(";")[0].strip() for r in requires("gan-zoo") or []]
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return project.get("dependencies", []) + [r for rs in project.get("optional-dependencies", {}).values() for r in rs]


def pins() -> dict[str, str]:
    """Package name (lower case) → its requirement, e.g. "gradio" → "gradio==6.31.0"."""
    found = {}
    for line in declared():
        match = re.match(r"([A-Za-z0-9_.\-]+)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = line.strip()
    return found


def requirements_text(sdk: str) -> str:
    """The Space's requirements: the project's pins, with torch from the CPU wheel index (no CUDA download)."""
    pinned = pins()
    lines = [f"--extra-index-url {TORCH_CPU_INDEX}"]
    for name in COMMON_PACKAGES + SDKS[sdk]["packages"]:
        if name not in pinned:
            raise SpaceError(f"pyproject.toml declares no dependency {name!r}")
        line = pinned[name]
        if name == "torch":
            match = re.fullmatch(r"torch\s*==\s*([\w.]+)", line)
            line = f"torch=={match.group(1)}+cpu" if match else line
        lines.append(line)
    return "\n".join(lines) + "\n"


def version_of(package: str) -> str:
    match = re.search(r"==\s*([\w.]+)", pins().get(package, ""))
    if not match:
        raise SpaceError(f"pyproject.toml does not pin {package!r} to one version")
    return match.group(1)


def readme_text(sdk: str, models: list[str]) -> str:
    """README.md with the Space front matter (sdk, and app_file for Gradio or app_port for Docker)."""
    front = [
        "title: GAN Zoo",
        "emoji: 🔢",
        "colorFrom: indigo",
        "colorTo: gray",
        f"sdk: {sdk}",
    ]
    if sdk == "gradio":
        front += [f"sdk_version: {version_of('gradio')}", "app_file: app.py"]
    else:
        front += [f"app_port: {STREAMLIT_PORT}"]
    front += ["pinned: false", "license: mit", "short_description: Classic GANs and CycleGAN on handwritten digits"]
    app = {
        "gradio": "Gradio app (sketch → USPS style, latent walks, vector arithmetic)",
        "docker": "Streamlit app (gallery, latent walk, vector arithmetic, λ comparison, draw and translate)",
    }[sdk]
    body = [
        "# GAN Zoo",
        "",
        "Classic generative adversarial networks on handwritten digits (MLP GAN, DCGAN, WGAN, OT-GAN) and CycleGAN "
        f"translation between MNIST and USPS. This Space runs the {app}, on CPU.",
        "",
        "Models included: " + ", ".join(f"`{m}`" for m in models) + ".",
        "",
        f"{ASSEMBLED_BY}; every figure and model comes from the GAN Zoo repository.",
    ]
    return "---\n" + "\n".join(front) + "\n---\n\n" + "\n".join(body) + "\n"


def _copy(src: Path, dst: Path, written: list[Path]) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    written.append(dst)


def _data_files() -> list[tuple[Path, Path]]:
    """(source, path inside the Space) for MNIST train/test and USPS, from zoo.data's usual folders."""
    mnist_root, usps_root = resolve_data_dir(None, "mnist"), resolve_data_dir(None, "usps")
    files = []
    for split in MNIST_FILES:
        images, labels = _mnist_paths(mnist_root, split)
        files += [(p, Path("data") / "MNIST" / "raw" / p.name) for p in (images, labels)]
    return files + [(usps_root / USPS_FILE, Path("data") / USPS_FILE)]


def build_space(
    sdk: str, out: str | Path, models: list[str] | None = None, data: bool = True, force: bool = False
) -> list[Path]:
    """Write the Space folder; returns every file written. ``data`` only applies to the Streamlit (docker) Space."""
    if sdk not in SDKS:
        raise SpaceError(f"--sdk must be one of {sorted(SDKS)}, got {sdk!r}")
    out = Path(out)
    names = models or list_models()
    if not names:
        raise SpaceError(f"No model folders in {weights_dir()}: a Space without weights would only show notices.")
    try:
        plan = upload_plan(names)
    except ModelLoadError as err:
        raise SpaceError(str(err)) from err
    if out.exists() and not out.is_dir():
        raise SpaceError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise SpaceError(f"{out} exists and is not empty (use --force to replace it)")
        if not is_space_folder(out):
            raise SpaceError(
                f"{out} is not a Space folder this command wrote: --force only replaces one (nothing was deleted)"
            )
    # Written beside --out and moved into place at the end: a failure half-way (a full disk, missing data) leaves
    # no half-written Space and, with --force, the previous one untouched.
    try:
        out.absolute().parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.absolute().parent))
    except OSError as err:
        raise SpaceError(f"cannot write {out}: {err.strerror or err}") from None
    try:
        written = _write_space(staging, sdk, names, plan, data)
        staging.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except OSError as err:
        raise SpaceError(f"could not write {out}: {err.strerror or err} (nothing was replaced)") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / path.relative_to(staging) for path in written]


def is_space_folder(folder: Path) -> bool:
    """Whether ``folder`` is a Space this command assembled (its README's front matter and line): the only kind of
    folder --force may delete, so that a mistyped --out (the checkout, a home folder) is never removed."""
    try:
        readme = (folder / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return readme.startswith("---\n") and "\nsdk: " in readme and ASSEMBLED_BY in readme


def _write_space(out: Path, sdk: str, names: list[str], plan: list[tuple[Path, str]], data: bool) -> list[Path]:
    """Every file of the Space, into the empty folder ``out``; returns them."""
    spec = SDKS[sdk]
    written: list[Path] = []
    for src, dst in {**spec["apps"], "LICENSE": "LICENSE"}.items():  # the copied sources carry their MIT notice
        _copy(REPO_ROOT / src, out / dst, written)
    sources = [p for d in ("zoo", *spec["dirs"]) for p in sorted((REPO_ROOT / d).rglob("*.py"))]
    for path in sources:
        _copy(path, out / path.relative_to(REPO_ROOT), written)
    for path, dest in plan:  # as a push publishes them: local paths scrubbed from the text files
        content = published_content(path)
        if isinstance(content, bytes):
            (out / "weights" / dest).parent.mkdir(parents=True, exist_ok=True)
            (out / "weights" / dest).write_bytes(content)
            written.append(out / "weights" / dest)
        else:
            _copy(path, out / "weights" / dest, written)
    if sdk == "docker" and data:
        try:
            for src, dst in _data_files():
                _copy(src, out / dst, written)
        except DataError as err:
            raise SpaceError(f"{err} Or build without the datasets: --no-data.") from err
    files = {"requirements.txt": requirements_text(sdk), "README.md": readme_text(sdk, names)}
    if sdk == "docker":
        files["Dockerfile"] = DOCKERFILE
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.space", description="Assemble a Hugging Face Space folder.")
    parser.add_argument("--sdk", required=True, choices=sorted(SDKS), help="gradio, or docker for the Streamlit app")
    parser.add_argument("--out", required=True, type=Path, help="folder to write (e.g. dist/space-gradio)")
    parser.add_argument("--models", nargs="+", default=None, help="model names under weights/ (default: all)")
    parser.add_argument("--no-data", action="store_true", help="docker: leave MNIST/USPS out (pages needing it say so)")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    try:
        written = build_space(args.sdk, args.out, args.models, data=not args.no_data, force=args.force)
    except SpaceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in written) / 1e6
    print(f"Wrote {len(written)} files ({size:.1f} MB) to {args.out}. Push it with:")
    print(f"  hf upload OWNER/NAME {args.out} --repo-type space")
    return 0


if __name__ == "__main__":
    sys.exit(main())
