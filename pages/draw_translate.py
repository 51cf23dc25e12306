"""Draw and translate: your digit (drawn or uploaded) into USPS style and back; or a USPS digit into MNIST style."""

import streamlit as st

from pages._common import (
    DIGIT_SCALE,
    classifier,
    drawn_digit,
    get_dataset,
    get_model,
    missing_notice,
    pick_model,
    reading_text,
    show_image,
    uploaded_digit,
)
from zoo import images
from zoo.translation import cycle, read_digits

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
    "say which digit they read at each stage."
)

name = pick_model("translator", "CycleGAN", key="model", default="cyclegan-lambda10")
missing_notice("translator")
model = get_model(name) if name else None
if model is None:
    st.stop()
st.caption(f"λ = {model.lambda_cycle:g}: the weight of the cycle-consistency loss this model was trained with.")

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
result = cycle(model, x, direction)
clf = {domain: classifier(domain) for domain in ("mnist", "usps")}


def _reading(domain: str, image) -> str:
    return reading_text(read_digits(clf[domain], image) if clf[domain] else None, 0, f"{domain.upper()} classifier")


if direction == "mnist_to_usps":
    panels = [
        (result.source, DIGIT_SCALE, "Input, MNIST style (28×28)", _reading("mnist", result.source)),
        (result.translated, DIGIT_SCALE, "G(x): USPS style (28×28)", _reading("usps", result.translated)),
        (result.usps_16, 7, "G(x) at USPS's native 16×16", ""),
        (result.reconstruction, DIGIT_SCALE, "F(G(x)): cycle reconstruction", _reading("mnist", result.reconstruction)),
    ]
else:
    panels = [
        (result.source, DIGIT_SCALE, "Input, USPS (28×28)", _reading("usps", result.source)),
        (result.usps_16, 7, "Input at USPS's native 16×16", ""),
        (result.translated, DIGIT_SCALE, "F(x): MNIST style", _reading("mnist", result.translated)),
        (result.reconstruction, DIGIT_SCALE, "G(F(x)): cycle reconstruction", _reading("usps", result.reconstruction)),
    ]
with output_column:
    for column, (image, scale, title, reading) in zip(st.columns(4), panels, strict=True):
        show_image(images.to_pil(image[0], scale), title, where=column, width=PANEL_WIDTH)
        if reading:
            column.markdown(reading)
