"""Draw and translate: your digit (drawn or uploaded) into USPS style and back; or a USPS digit into MNIST style."""

import streamlit as st

from pages._common import cached, chosen_model, input_digit, show_image
from zoo import frontend, report
from zoo.catalog import Objective

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
semantic = "; its semantic loss: frozen MNIST classifiers read G(x) as x's digit" if objective.semantic_weight else ""
figures = report.translator_summary(name)
st.caption(f"Trained with {objective.label} (λ weighs the cycle-consistency loss{semantic}). {figures}")

source = st.radio("Input", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="source")
input_column, output_column = st.columns([1, 3])
with input_column:
    x = input_digit(source)
if x is None:
    st.stop()

direction = "usps_to_mnist" if source == "usps" else "mnist_to_usps"
view = cached(frontend.translation_view, name, x.numpy(), direction)
with output_column:
    for column, picture, title, said in zip(st.columns(4), view.pictures, view.titles, view.said, strict=True):
        show_image(picture, title, where=column, width=PANEL_WIDTH)
        if said:
            column.markdown(said)
    st.download_button(
        "Download the four stages (PNG)",
        view.sheet,
        file_name=f"{name}-{direction}.png",
        mime="image/png",
        icon=":material/download:",
        key="download",
    )
