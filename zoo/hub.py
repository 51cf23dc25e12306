"""Where models come from: the shipped ``weights/`` folders, any model folder, or the Hugging Face Hub.

Hub layout: one repository holds the whole zoo, one folder per model (``OWNER/NAME/dcgan/config.json`` …), so a
single ``--repo-id`` publishes and pins everything, and ``revision=`` pins a version of all of it.

    python -m zoo.hub push --repo-id OWNER/gan-zoo [--models dcgan wgan] [--private] [--dry-run]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .folder import CONFIG, FILES, WEIGHTS, contents, list_models, load_model, read_config, resolve, weights_dir
from .models import ModelLoadError, ZooModel

logger = logging.getLogger("zoo")

HUB_REPO_ENV = "GAN_ZOO_HUB_REPO"  # set it to make the apps load from the Hub (source="auto")
SOURCES = ("local", "hub", "auto")



def download(name: str, repo_id: str, revision: str | None = None) -> Path:
    """Fetch one model's folder from the Hub repository into the huggingface_hub cache; return its path."""
    from huggingface_hub import snapshot_download

    snapshot = snapshot_download(repo_id, revision=revision, allow_patterns=[f"{name}/*"])
    folder = Path(snapshot) / name
    if not (folder / CONFIG).is_file():
        raise ModelLoadError(f"The Hub repository {repo_id} (revision {revision or 'main'}) has no model {name!r}.")
    return folder


def load(
    name_or_path: str | os.PathLike,
    source: str = "local",
    repo_id: str | None = None,
    revision: str | None = None,
) -> ZooModel:
    """A model in eval mode on the CPU, by name (``weights/<name>``), folder path, or from the Hub.

    ``source="local"`` reads ``weights/<name>`` or a folder; ``"hub"`` downloads ``<name>/`` from ``repo_id``
    (default ``$GAN_ZOO_HUB_REPO``) at ``revision``; ``"auto"`` tries the Hub and falls back to the local folder,
    with a warning, when offline (``HF_HUB_OFFLINE=1``), unreachable, or lacking the model.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if source == "local":
        return load_model(resolve(name_or_path))
    repo_id = repo_id or os.environ.get(HUB_REPO_ENV)
    name = str(name_or_path)
    if source == "hub":
        if not repo_id:
            raise ModelLoadError(f"Loading {name!r} from the Hub needs repo_id= or ${HUB_REPO_ENV}.")
        return load_model(_download_or_explain(name, repo_id, revision))
    if repo_id:
        try:
            return load_model(download(name, repo_id, revision))
        except Exception as err:  # noqa: BLE001 - any Hub failure falls back to local weights
            logger.warning("Hub load of %r from %s failed (%s); using the local folder.", name, repo_id, err)
    try:
        return load_model(resolve(name_or_path))
    except ModelLoadError as err:
        where = f"the Hub ({repo_id}) nor locally" if repo_id else "locally (no Hub repo configured)"
        raise ModelLoadError(f"Model {name!r} found neither on {where}: {err}") from err


def _download_or_explain(name: str, repo_id: str, revision: str | None) -> Path:
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, RepositoryNotFoundError

    try:
        return download(name, repo_id, revision)
    except LocalEntryNotFoundError as err:
        raise ModelLoadError(
            f"Cannot reach the Hub for {repo_id} and no cached copy of {name!r} exists "
            f"(offline: HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE', '0')}). Use source='auto' or 'local'."
        ) from err
    except RepositoryNotFoundError as err:
        raise ModelLoadError(f"Hub repository {repo_id} not found (or private without a token).") from err
    except HfHubHTTPError as err:
        raise ModelLoadError(f"Hub error while fetching {name!r} from {repo_id}: {err}") from err


# --- push -------------------------------------------------------------------------------------------------


def upload_plan(names: list[str], root: Path | None = None) -> list[tuple[Path, str]]:
    """(local file, path in the repository) for every file that a push uploads."""
    root = root or weights_dir()
    plan = []
    for name in names:
        folder = root / name
        read_config(folder)  # refuse folders that would not load
        files = contents(folder)
        if folder / WEIGHTS not in files:
            raise ModelLoadError(f"{folder} has no {WEIGHTS}.")
        plan += [(path, f"{name}/{path.name}") for path in files]
    return plan


def push(repo_id: str, names: list[str], private: bool = False, dry_run: bool = False) -> list[tuple[Path, str]]:
    plan = upload_plan(names)
    if dry_run:
        return plan
    from huggingface_hub import HfApi

    api = HfApi()
    api.create_repo(repo_id, private=private, exist_ok=True)
    for name in names:
        api.upload_folder(
            repo_id=repo_id,
            folder_path=str(weights_dir() / name),
            path_in_repo=name,
            allow_patterns=list(FILES),
            commit_message=f"Upload {name}",
        )
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.hub", description="Publish the zoo's model folders.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("push", help="upload model folders to one Hub repository (a folder per model)")
    p.add_argument("--repo-id", required=True, help="OWNER/NAME of the model repository (created if missing)")
    p.add_argument("--models", nargs="+", default=None, help="model names under weights/ (default: all)")
    p.add_argument("--private", action="store_true", help="create the repository as private")
    p.add_argument("--dry-run", action="store_true", help="list what would be uploaded where; upload nothing")
    sub.add_parser("list", help="list the local model folders")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(list_models()))
        return 0
    available = list_models()
    names = args.models or available
    unknown = [n for n in names if n not in available]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; available under {weights_dir()}: {available}")
    if not names:
        parser.error(f"no model folders under {weights_dir()}")
    try:
        plan = push(args.repo_id, names, private=args.private, dry_run=args.dry_run)
    except ModelLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - network and auth errors
        print(f"error: upload to {args.repo_id} failed: {err}", file=sys.stderr)
        return 1
    verb = "would upload" if args.dry_run else "uploaded"
    for path, dest in plan:
        print(f"{verb} {path} -> {args.repo_id}:{dest}")
    print(f"{len(plan)} files in {len(names)} models {verb} to https://huggingface.co/{args.repo_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
