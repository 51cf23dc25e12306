"""λ comparison: the same MNIST digits through the CycleGANs of the λ sweep (and any other objective), and the
trade-off between labels kept and cycle error."""

import streamlit as st

from pages._common import cached, drawn_digit, get_dataset, get_models, missing_notice, show_image
from zoo import catalog, frontend, plots
from zoo.data import pick_examples, random_examples
from zoo.folder import weights_dir
from zoo.metrics import label_flips
from zoo.translation import trade_off

st.title("λ comparison")
st.markdown(
    "CycleGAN weighs its cycle-consistency loss by λ. With **λ = 0** nothing ties G(x) to x: the output looks "
    "like USPS but is free to become another digit. As λ grows, F(G(x)) must give x back, so G keeps the "
    "digit; a **large λ** also keeps the source's look, and the translations stay close to MNIST style. "
    "Translators trained with another objective (e.g. CyCADA's semantic loss) follow the sweep, labelled."
)

names = catalog.available("translator")
missing_notice("translator")
models = get_models(names)
if not models:
    hint = catalog.how_to_get(catalog.default("translator") or "cyclegan-lambda10")
    st.warning(f"No CycleGAN weights in `{weights_dir()}`: nothing to compare. To add one: {hint}.")
    st.stop()

test = get_dataset("mnist", "test")
options = ["Pick digits", "Random", "Draw one"] if test is not None else ["Draw one"]
inputs = st.radio("Inputs", options, horizontal=True, key="inputs")
labels = None
if inputs == "Draw one":
    x = drawn_digit("lambda_canvas")
    if x is None:
        st.stop()
else:
    left, right = st.columns([3, 1])
    seed = int(right.number_input("Seed", 0, 2**31 - 1, 0, key="seed"))
    if inputs == "Pick digits":
        digits = left.multiselect("Digits", list(range(10)), default=[0, 2, 3, 4, 5, 7], key="digits")
        index = pick_examples(test[1], digits, seed)
    else:
        n = left.slider("How many", 1, 12, 8, key="n")
        index = random_examples(n, len(test[1]), seed)
    if not index:
        st.info("Pick at least one digit.")
        st.stop()
    x, labels = test[0][index], test[1][index].tolist()

st.caption(
    "Per translator, one column per digit: x, G(x) in USPS style, F(G(x)) back in MNIST style. Under x its label "
    "(*read as*: the MNIST classifier's guess, for a drawing); under G(x) what the USPS classifier reads, under "
    "F(G(x)) what the MNIST classifier reads: green when it is x's digit, red when not."
)
grids = cached(frontend.comparison, tuple(models), x.numpy(), tuple(labels) if labels is not None else None)
for grid in grids:
    st.markdown(f"**{grid.label}** (`{grid.name}`)")
    show_image(grid.picture, grid.verdict or None)
    st.download_button(
        "Download (PNG)", grid.picture, file_name=f"{grid.name}-translations.png", mime="image/png", key=grid.name
    )


@st.cache_resource(show_spinner="Measuring the trade-off on MNIST test digits…", max_entries=4)
def _trade_off(folder: str, names: tuple[str, ...], _models: dict, _test, _reader):
    """Cached per weights folder and set of models, with its figures, since a live estimate runs each translator on
    200 digits (a metrics.json written while the app runs shows after a restart)."""
    view = trade_off(_models, _test, _reader)
    return view, plots.trade_off_figures(view.sweep, view.others, view.flips) if view else (None, {})


st.subheader("The trade-off")
view, (chart, heatmaps) = _trade_off(str(weights_dir()), tuple(models), models, test, frontend.reader("usps"))
if view is None:
    st.info("The chart needs each CycleGAN's metrics.json, or the MNIST test set and the USPS classifier.")
    st.stop()
if chart is not None:
    st.plotly_chart(chart, key="tradeoff")
    st.caption(
        f"Labels kept: share of digits the USPS classifier still reads correctly after G. Cycle L1: mean "
        f"|F(G(x)) − x|. Measured on {view.measured_on}."
    )
    if view.finding:
        st.markdown(view.finding)

if view.flips:
    st.subheader("Which digits change")
    st.markdown(
        "A label-preservation figure says how many digits a translator changes, not which. Rows are the MNIST "
        "digit fed to G, columns what the USPS classifier reads in G(x); off the diagonal are the flips."
    )
    choices = list(view.flips)
    label = st.selectbox("Translator", choices, index=choices.index(view.default), key="flips_model")
    st.plotly_chart(heatmaps[label], key="flips")
    top = label_flips(view.flips[label]["confusion_mnist_to_usps"])
    st.caption(
        ("Most frequent flips: " + ", ".join(str(f) for f in top) if top else "No digit flips in 5 % or more of cases.")
        + f" Measured on {view.measured_on}."
    )
