"""Where models come from: the shipped ``weights/`` folders, any model folder, or the Hugging Face Hub.

Hub layout: one repository holds the whole zoo, one folder per model (``OWNER/NAME/dcgan/config.json`` …), so a
single ``--repo-id`` publishes and pins everything, and ``revision=`` pins a version of all of it.

    python -m zoo.hub push --repo-id OWNER/gan-zoo [--models dcgan wgan] [--private] [--dry-run]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from .folder import (
    CONFIG,
    DISCRIMINATOR,
    FILES,
    SAMPLES,
    WEIGHTS,
    contents,
    discriminator_folder,
    list_models,
    load_model,
    read_training,
    resolve,
    weights_dir,
)
from .models import ModelLoadError, ZooModel

logger = logging.getLogger("zoo")

HUB_REPO_ENV = "GAN_ZOO_HUB_REPO"  # set it to make the apps load from the Hub (source="auto")
SOURCES = ("local", "hub", "auto")

# Every request to the Hub gets these limits (seconds), even where huggingface_hub passes none: an endpoint that
# accepts the connection and never answers must not hold a page (or a push) forever.
HUB_TIMEOUTS = {"connect": 5.0, "read": 10.0, "write": 10.0, "pool": 5.0}
# A whole load's download (metadata, retries and files) ends by then: "hub" may take a while on a slow line,
# "auto" has a local copy to fall back on, so it gives up fast.
DEADLINES = {"hub": 60.0, "auto": 5.0}
RETRY_AFTER_S = 60.0  # after an "auto" load gave up on the Hub, later ones go local at once for this long

T = TypeVar("T")


class HubTimeoutError(ModelLoadError):
    """The Hub did not answer a load within its deadline."""


# --- finite timeouts and deadlines ------------------------------------------------------------------------


def _finite_timeouts(request: Any) -> None:
    """httpx request hook: cap the connect/read/write/pool timeouts (None means "wait forever" to httpx)."""
    timeout = dict(request.extensions.get("timeout") or {})
    for key, limit in HUB_TIMEOUTS.items():
        value = timeout.get(key)
        timeout[key] = limit if value is None else min(value, limit)
    request.extensions["timeout"] = timeout


_bounded = False
_bounded_lock = threading.Lock()


def bound_hub_timeouts() -> None:
    """Make every request huggingface_hub sends from this process carry finite timeouts (``HUB_TIMEOUTS``).

    huggingface_hub's shared HTTP client has no default timeout and some of its calls (``repo_info``, which
    ``snapshot_download`` starts with) pass none, so a silent endpoint would block forever. The client factory
    in place (the default, or one the user set for a proxy) is wrapped, not replaced, with a request hook that
    caps each timeout. Called before the zoo's first Hub call; idempotent.
    """
    global _bounded
    with _bounded_lock:
        if _bounded:
            return
        from huggingface_hub import set_client_factory
        from huggingface_hub.utils import _http

        current = _http._GLOBAL_CLIENT_FACTORY  # no public getter: keep the user's own factory if there is one

        def factory() -> Any:
            client = current()
            hooks = client.event_hooks
            client.event_hooks = {**hooks, "request": [*hooks.get("request", []), _finite_timeouts]}
            return client

        set_client_factory(factory)
        _bounded = True


def within(deadline_s: float, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, or a HubTimeoutError after ``deadline_s`` seconds.

    The call runs in a daemon thread: when the deadline passes the caller moves on, and the thread ends on its
    own once its (finite) request timeouts fire; whatever it downloaded stays in the cache for next time.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = err
        finally:
            done.set()

    threading.Thread(target=run, name="zoo-hub", daemon=True).start()
    if not done.wait(deadline_s):
        raise HubTimeoutError(f"The Hub did not answer within {deadline_s:g} s while {what}.")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --- load ---------------------------------------------------------------------------------------------------


def download(name: str, repo_id: str, revision: str | None = None) -> Path:
    """Fetch one model's folder from the Hub repository into the huggingface_hub cache; return its path."""
    from huggingface_hub import snapshot_download

    bound_hub_timeouts()
    snapshot = snapshot_download(repo_id, revision=revision, allow_patterns=[f"{name}/*"])
    folder = Path(snapshot) / name
    if not (folder / CONFIG).is_file():
        raise ModelLoadError(f"The Hub repository {repo_id} (revision {revision or 'main'}) has no model {name!r}.")
    return folder


_hub_down_until = 0.0  # monotonic time before which "auto" does not try the Hub again


def load(
    name_or_path: str | os.PathLike,
    source: str = "local",
    repo_id: str | None = None,
    revision: str | None = None,
    timeout: float | None = None,
) -> ZooModel:
    """A model in eval mode on the CPU, by name (``weights/<name>``), folder path, or from the Hub.

    ``source="local"`` reads ``weights/<name>`` or a folder; ``"hub"`` downloads ``<name>/`` from ``repo_id``
    (default ``$GAN_ZOO_HUB_REPO``) at ``revision``; ``"auto"`` tries the Hub and falls back to the local folder,
    with a warning, when offline (``HF_HUB_OFFLINE=1``), unreachable, slow, or lacking the model. ``timeout``
    bounds the download in seconds (default ``DEADLINES[source]``); every request also has finite timeouts.
    """
    global _hub_down_until
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if source == "local":
        return load_model(resolve(name_or_path))
    repo_id = repo_id or os.environ.get(HUB_REPO_ENV)
    name = str(name_or_path)
    deadline = DEADLINES[source] if timeout is None else timeout
    what = f"fetching {name!r} from {repo_id}"
    if source == "hub":
        if not repo_id:
            raise ModelLoadError(f"Loading {name!r} from the Hub needs repo_id= or ${HUB_REPO_ENV}.")
        return load_model(within(deadline, what, _download_or_explain, name, repo_id, revision))
    if repo_id and time.monotonic() >= _hub_down_until:
        try:
            return load_model(within(deadline, what, download, name, repo_id, revision))
        except Exception as err:  # noqa: BLE001 - any Hub failure falls back to local weights
            if isinstance(err, HubTimeoutError) or _is_network_error(err):
                _hub_down_until = time.monotonic() + RETRY_AFTER_S
            logger.warning("Hub load of %r from %s failed (%s); using the local folder.", name, repo_id, err)
    try:
        return load_model(resolve(name_or_path))
    except ModelLoadError as err:
        where = f"the Hub ({repo_id}) nor locally" if repo_id else "locally (no Hub repo configured)"
        raise ModelLoadError(f"Model {name!r} found neither on {where}: {err}") from err


def _is_network_error(err: BaseException) -> bool:
    """True when the Hub could not be reached or did not answer in time; False when it answered (a 404, a
    repository without the model): only the former makes "auto" skip the Hub for a while."""
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    if isinstance(err, HubTimeoutError | LocalEntryNotFoundError):  # the latter: no connection, nothing cached
        return True
    return not isinstance(err, HfHubHTTPError | ModelLoadError)  # the HTTP client's own connection errors


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

REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
TEXT_FILES = tuple(f for f in FILES if f not in (WEIGHTS, SAMPLES))  # may quote local paths: published scrubbed


def check_repo_id(repo_id: str) -> str:
    """``repo_id`` when it is a Hub model repository id ``OWNER/NAME``, else a ValueError saying what is wrong."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    if not isinstance(repo_id, str) or not REPO_ID.fullmatch(repo_id):
        raise ValueError(f"{repo_id!r} is not a repository id of the form OWNER/NAME (letters, digits, '-', '_', '.').")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as err:
        raise ValueError(f"{repo_id!r} is not a valid repository id: {err}") from None
    return repo_id


def upload_plan(names: list[str], root: Path | None = None) -> list[tuple[Path, str]]:
    """(local file, path in the repository) for every file that a push uploads: exactly this, nothing else.

    Only the model folder's own files (``zoo.folder.FILES``) are planned, plus those of a GAN's
    ``discriminator/`` subfolder (the app's discriminator page reads it from the Hub like any model), and each
    folder is refused unless it loads (config against weights, finite weights), so a broken model is never
    published.
    """
    root = root or weights_dir()
    plan = []
    for name in names:
        folder = root / name
        load_model(folder)
        plan += [(path, f"{name}/{path.name}") for path in contents(folder)]
        critic = discriminator_folder(folder)
        if critic is not None:
            load_model(critic)
            plan += [(path, f"{name}/{DISCRIMINATOR}/{path.name}") for path in contents(critic)]
    return plan


def published_content(path: Path) -> bytes | Path:
    """What a push (or a Space) publishes for a planned file: text files with local paths scrubbed, else the file.

    training.json records the command line verbatim (``--out``, ``--data-dir``) and the card quotes it, so an
    absolute path such as ``/home/alice/runs/dcgan`` would publish a user name and a directory layout: every
    absolute path that training.json names, and anything under the home or working directory, is published as
    its last component (``dcgan``), which keeps the command readable and runnable from a clone.
    """
    if path.name not in TEXT_FILES:
        return path
    text = path.read_text(encoding="utf-8")
    return _scrub(text, _local_paths(path.parent)).encode("utf-8")


def _local_paths(folder: Path) -> set[str]:
    """Absolute paths of this machine that a folder's text files may quote."""
    found = {str(Path.home()), str(Path.cwd()), str(weights_dir().resolve().parent)}
    training = read_training(folder) or {}
    values: list[Any] = list((training.get("arguments") or {}).values())
    values += re.split(r"[\s=]", str(training.get("command", "")))
    found |= {v for v in values if isinstance(v, str) and (v.startswith("/") or v.startswith("~/"))}
    return {p.rstrip("/") for p in found if len(p.rstrip("/")) > 1}


def _scrub(text: str, roots: Iterable[str]) -> str:
    for root in sorted(roots, key=len, reverse=True):
        pattern = r"(?<![\w./:-])" + re.escape(root) + r"(?![^/\s\"'`,;)\]])(?:/[^\s\"'`,;)\]]*)?"
        text = re.sub(pattern, lambda m: PurePosixPath(m.group(0)).name or ".", text)
    return text


def push(repo_id: str, names: list[str], private: bool = False, dry_run: bool = False) -> list[tuple[Path, str]]:
    """Upload exactly ``upload_plan(names)`` to ``repo_id`` as one commit with one operation per file."""
    check_repo_id(repo_id)
    plan = upload_plan(names)
    if dry_run:
        return plan
    from huggingface_hub import CommitOperationAdd, HfApi

    bound_hub_timeouts()
    operations = [CommitOperationAdd(path_in_repo=dest, path_or_fileobj=published_content(path)) for path, dest in plan]
    api = HfApi()
    api.create_repo(repo_id, private=private, exist_ok=True)
    api.create_commit(repo_id, operations=operations, commit_message=f"Upload {', '.join(names)}")
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zoo.hub", description="Publish the zoo's model folders.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("push", help="upload model folders to one Hub repository (a folder per model)")
    p.add_argument(
        "--repo-id", required=True, type=_repo_id_arg, help="OWNER/NAME of the model repository (created if missing)"
    )
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
        content = published_content(path)
        note = " (local paths replaced)" if isinstance(content, bytes) and content != path.read_bytes() else ""
        print(f"{verb} {path} -> {args.repo_id}:{dest}{note}")
    models = f"{len(names)} model{'' if len(names) == 1 else 's'}"
    print(f"{len(plan)} files in {models} {verb} to https://huggingface.co/{args.repo_id}")
    return 0


def _repo_id_arg(value: str) -> str:
    try:
        return check_repo_id(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


if __name__ == "__main__":
    sys.exit(main())
