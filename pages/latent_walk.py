"""Latent walk: frames between two or more seeds (lerp or slerp), in rows of readable frames and as a GIF."""

import random

import streamlit as st

from pages._common import cached, chosen_model, show_image
from zoo import frontend, latent
from zoo.frontend import parse_numbers

st.title("Latent walk")
st.markdown(
    "A generator maps every point of its latent space to a digit. Walking a path between the latents of two "
    "or more seeds shows how smoothly it does so: a good generator morphs one digit into the next without "
    "jumps or garbage in between. *Spherical* interpolation keeps the walk where Gaussian latents live (near a "
    "sphere); *linear* cuts through the centre, where they are rare."
)


def _random_seeds() -> None:
    st.session_state["seeds"] = ", ".join(str(s) for s in random.sample(range(10_000), 3))


name, generator = chosen_model("generator", "Generator")
if generator is not None:
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    st.session_state.setdefault("seeds", "0, 1")  # set here, not as the widget's value: the button sets it too
    seeds_text = left.text_input(
        "Seeds (two or more, comma-separated)",
        max_chars=400,
        help=f"Whole numbers from 0 to 2⁶⁴ − 1; a walk has at most {latent.MAX_FRAMES} frames (seeds × frames a leg).",
        key="seeds",
    )
    right.button("Random seeds", icon=":material/casino:", on_click=_random_seeds, key="random")
    steps = middle.slider("Frames per leg", min_value=2, max_value=32, value=16, key="steps")
    mode_column, size_column = st.columns(2)
    mode = mode_column.radio(
        "Interpolation",
        latent.MODES,
        format_func={"slerp": "spherical (slerp)", "lerp": "linear (lerp)"}.get,
        horizontal=True,
        key="mode",
    )
    gif_px = size_column.radio(
        "GIF size", latent.GIF_SIZES, index=1, format_func="{} px".format, horizontal=True, key="gif_px"
    )
    try:
        seeds = parse_numbers(seeds_text, minimum=2)
        walk = cached(frontend.walk, name, tuple(seeds), steps, mode, gif_px)  # bounded in zoo.latent
    except ValueError as err:
        st.error(str(err))
        st.stop()

    show_image(walk.strip, walk.caption)
    gif_column, text_column = st.columns([1, 3])
    gif_column.image(walk.gif, caption=f"animated, {walk.gif_px} px")
    label = "-".join(map(str, seeds[:4])) + ("-etc" if len(seeds) > 4 else "")
    text_column.download_button(
        "Download the GIF", walk.gif, file_name=f"{name}-walk-{label}.gif", mime="image/gif", key="download_gif"
    )
    text_column.download_button(
        "Download the frames (PNG)", walk.strip, file_name=f"{name}-walk-{label}.png", mime="image/png", key="download"
    )

    st.subheader("Walk one latent direction")
    if st.toggle("Move the first seed's latent along one direction", key="direction_on"):
        a, b, c = st.columns(3)
        kind = a.radio("Direction", ["random", "axis"], format_func=str.capitalize, key="direction_kind")
        if kind == "random":
            index = int(b.number_input("Direction seed", 0, 2**31 - 1, 0, key="direction_seed"))
        else:
            index = int(b.number_input("Latent coordinate", 0, generator.latent_dim - 1, 0, key="axis"))
        span = c.slider("Span (± standard deviations)", 0.5, 6.0, 3.0, 0.5, key="span")
        moved = cached(frontend.direction_sweep, name, seeds[0], kind, index, span, steps)
        show_image(moved, f"seed {seeds[0]} moved from −{span} to +{span} along it")
