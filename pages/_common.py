"""What every page shares: models and datasets with notices when missing, model pickers, and image display.

Layout only: models come from ``zoo.frontend`` (one per process, shared with Gradio), every computation is a
``zoo`` function. Cached objects are shared by all sessions: they are never mutated.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
import torch

import zoo
from zoo import catalog, frontend, images
from zoo.data import ENV_VAR, DataError, advice_for_apps, resolve_data_dir
from zoo.folder import weights_dir

T = TypeVar("T")

DIGIT_SCALE = 4  # 28×28 digits are shown at 112×112, upscaled without blur
CANVAS_TOOLBAR_PX = 48  # the canvas's toolbar (undo, redo, clear) pops up 2.65rem above it: room kept for it


def cached(view: Callable[..., T], *args: Any) -> T:
    """``view(*args)`` computed once for every session and kept (``st.cache_data``): a ``zoo.frontend`` view takes
    model names and plain values and returns encoded pictures, so a rerun with inputs already seen costs a
    dictionary lookup instead of running models and encoding PNGs again.

    Keyed by the view, its arguments, and the weights and data folders (tests and users switch them); a model
    folder rewritten under the same name while the server runs shows after a restart, like the models themselves.
    """
    return _computed(f"{view.__module__}.{view.__qualname__}", _folders(), args, view)


def shared(view: Callable[..., T], *args: Any) -> T:
    """``view(*args)`` built once per process and handed to every session as the same object
    (``st.cache_resource``): for plotly figures, which ``st.cache_data`` would pickle and so validate again.
    Streamlit only reads a figure; nobody may mutate what this returns."""
    return _built(f"{view.__module__}.{view.__qualname__}", _folders(), args, view)


def _folders() -> tuple[str, ...]:
    return str(weights_dir()), os.environ.get(ENV_VAR, ""), os.getcwd()


@st.cache_data(max_entries=512, show_spinner=False)
def _computed(view_name: str, folders: tuple[str, ...], args: tuple, _view: Callable[..., T]) -> T:
    return _view(*args)


@st.cache_resource(max_entries=64, show_spinner=False)
def _built(view_name: str, folders: tuple[str, ...], args: tuple, _view: Callable[..., T]) -> T:
    return _view(*args)


def get_model(name: str) -> zoo.ZooModel | None:
    """The model, or None after a notice saying why it is missing and how to get it."""
    try:
        return frontend.shared_model(name)
    except zoo.ModelLoadError as err:
        st.warning(f"**Model `{name}` is not available.** {err}\n\nTo add it: {catalog.how_to_get(name)}.")
        return None


def get_models(names: list[str]) -> dict[str, zoo.ZooModel]:
    return {name: model for name in names if (model := get_model(name)) is not None}


@st.cache_resource(show_spinner="Loading data…", max_entries=8)
def _load_dataset(dataset: str, split: str, root: str) -> tuple[torch.Tensor, torch.Tensor]:
    return frontend.dataset(dataset, split)  # the process's one copy, which the zoo's views read too


def get_dataset(dataset: str, split: str) -> tuple[torch.Tensor, torch.Tensor] | None:
    """MNIST or USPS (N×1×28×28 in [-1, 1], labels) from zoo.data's usual folders, or None after a notice."""
    try:
        return _load_dataset(dataset, split, str(resolve_data_dir(None, dataset)))
    except DataError as err:
        st.warning(f"**{dataset.upper()} {split} data not found**, so this view is off. {advice_for_apps(err)}")
        return None


def pick_model(kind: str | None, label: str, key: str, opening: str | None = None) -> str | None:
    """A selectbox over the available models of a kind (None: all), opening on ``opening`` or else on
    ``catalog.default``; None (after a notice) when there are none."""
    names = catalog.available(kind)
    if not names:
        shipped = [n for n, (k, _) in catalog.SHIPPED.items() if kind is None or k == kind]
        st.warning(
            f"**No {kind or 'model'} weights found** in `{weights_dir()}` (the zoo ships {', '.join(shipped)}). "
            f"Train one, e.g. {catalog.how_to_get(shipped[0])}, or set `GAN_ZOO_HUB_REPO` to load them from the Hub."
        )
        return None
    opening = opening or (catalog.default(kind) if kind else None)
    return st.selectbox(label, names, index=names.index(opening) if opening in names else 0, key=key)


def chosen_model(kind: str, label: str) -> tuple[str | None, zoo.ZooModel | None]:
    """The page's model picker (key "model"), the line listing missing ones, and the picked model's name and the
    model loaded; the model is None (after a notice) when there is nothing to show."""
    name = pick_model(kind, label, key="model")
    missing_notice(kind)
    return name, get_model(name) if name else None


def missing_notice(kind: str) -> None:
    """A quiet line listing the shipped models of a kind that this installation lacks."""
    absent = catalog.missing(kind)
    if absent:
        st.caption(f"Not installed: {', '.join(absent)} (train them or set `GAN_ZOO_HUB_REPO`).")


def show_image(picture, caption: str | list[str] | None = None, where=st, width: int | str = "content") -> None:
    """``st.image`` as lossless PNG (its default would JPEG-blur pixel-sized strokes), in ``where`` (a column)."""
    where.image(picture, caption=caption, output_format="PNG", width=width)


def show_digits(batch: torch.Tensor, captions: list[str] | None = None, scale: int = DIGIT_SCALE) -> None:
    """Digits side by side at a crisp size."""
    show_image(images.to_pils(batch, scale), captions)


def drawn_digit(key: str) -> torch.Tensor | None:
    """A canvas to draw on; the drawing as an MNIST-style 1×1×28×28 digit, or None (with a hint) while empty."""
    from streamlit_drawable_canvas import st_canvas

    st.space(CANVAS_TOOLBAR_PX)  # the toolbar shows here on hover, never over the widgets above (issue 14)
    result = st_canvas(
        stroke_width=18,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=224,
        width=224,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    if result.image_data is None:
        st.info("Draw a digit on the black square with the mouse (or a finger).")
        return None
    try:
        return images.preprocess_sketch(result.image_data)
    except images.EmptyDrawingError:
        st.info("The canvas is empty: draw a digit with the mouse (white strokes on black).")
        return None


def _random_index(key: str, count: int) -> None:
    st.session_state[key] = random.randrange(count)


def uploaded_digit(key: str, width: int = 160) -> torch.Tensor | None:
    """An uploaded picture or photo of one digit as an MNIST-style 1×1×28×28 digit, or None with a friendly message.

    The picture is shown as it was read (grey, at most 512 pixels a side), so that a user can set it beside the
    prepared 28×28 input and see what the model got.
    """
    label = f"A picture or photo of one digit ({images.UPLOAD_FORMAT_NAMES})"
    upload = st.file_uploader(label, type=images.UPLOAD_EXTENSIONS, key=key)
    if upload is None:
        st.info("Upload a picture of a single digit: a drawing, or a photo of a digit written on paper.")
        return None
    try:
        picture = images.read_image(upload.getvalue())
    except images.UnreadableImageError as err:  # not a picture, a format the app does not read, or too large
        st.error(str(err))
        return None
    show_image(picture, "your picture, as read", width=width)
    try:
        return images.preprocess_sketch(picture)
    except images.EmptyDrawingError:
        st.error("No digit found in this picture: it looks blank (or the ink is as light as the paper).")
    except ValueError as err:
        st.error(f"This picture cannot be used: {err}")
    return None


def input_digit(source: str) -> torch.Tensor | None:
    """The digit an input chooser picked, as 1×1×28×28: drawn ("draw"), uploaded ("upload"), or a test digit of
    "mnist" or "usps" (its number in a field keyed ``<dataset>_index``, or the "Random test digit" button, and its
    label below); None after a hint."""
    if source == "draw":
        return drawn_digit("canvas")
    if source == "upload":
        return uploaded_digit("upload")
    data = get_dataset(source, "test")
    if data is None:
        return None
    key, count = f"{source}_index", len(data[1])
    st.session_state.setdefault(key, 0)  # the button sets it: a widget default as well would warn
    i = int(st.number_input("Test digit number", 0, count - 1, key=key))
    st.button(
        "Random test digit", icon=":material/casino:", on_click=_random_index, args=(key, count), key=f"{key}_random"
    )
    st.caption(f"label {int(data[1][i])}")
    return data[0][i : i + 1]
