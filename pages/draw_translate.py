"""Draw and translate: your digit (drawn or uploaded) into USPS style and back; or a USPS digit into MNIST style."""

import streamlit as st

from pages._common import chosen_model, drawn_digit, get_dataset, show_image, uploaded_digit
from zoo import frontend
from zoo.catalog import Objective
from zoo.translation import translate_and_read

PANEL_WIDTH = 140  # pixels: the four stages side by side at one size, whatever their resolution
SOURCES = {
    "draw": "Draw",
    "upload": "Upload",
    "mnist": "MNIST test digit",
    "usps": "USPS test digit (reverse: USPS → MNIST)",
}

st.title("Draw and translate")
st.markdown(
    "Your digit is prepared the way MNIST's were (cropped to its bounding box, scaled into 20×20, centred by "
    "mass in 28×28), translated by the CycleGAN's G into USPS style, and brought back by F. The classifiers "
    "say which digit they read at each stage. A photo of a digit on paper works too: the paper's tint, its "
    "lighting and the table's edge are removed first; your picture appears beside the 28×28 input it became."
)

name, model = chosen_model("translator", "CycleGAN")
if model is None:
    st.stop()
objective = Objective.of(model)
semantic = "; a frozen classifier read G(x) as x's digit (CyCADA)" if objective.semantic_weight else ""
st.caption(f"Trained with {objective.label} (λ weighs the cycle-consistency loss{semantic}).")

source = st.radio("Input", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="source")
input_column, output_column = st.columns([1, 3])
with input_column:
    x = None
    if source == "draw":
        x = drawn_digit("canvas")
    elif source == "upload":
        x = uploaded_digit("upload")
    else:
        data = get_dataset(source, "test")
        if data is not None:
            i = int(st.number_input("Test digit number", 0, len(data[1]) - 1, 0, key=f"{source}_index"))
            x = data[0][i : i + 1]
            st.caption(f"label {int(data[1][i])}")
if x is None:
    st.stop()

direction = "usps_to_mnist" if source == "usps" else "mnist_to_usps"
with output_column:
    for column, panel in zip(st.columns(4), translate_and_read(model, x, direction, frontend.readers()), strict=True):
        show_image(panel.picture(), panel.title, where=column, width=PANEL_WIDTH)
        if panel.said:
            column.markdown(panel.said)
