"""λ comparison: the same MNIST digits through the CycleGANs trained with λ = 0, 3, 6, 10, 15, and the trade-off."""

import streamlit as st

from pages._common import classifier, drawn_digit, get_dataset, get_models, missing_notice, show_digits, show_image
from zoo import catalog, images, plots
from zoo.hub import weights_dir
from zoo.translation import compare_lambdas, label_flips, pick_examples, random_examples, read_digits, tradeoff

QUICK_IMAGES = 200  # MNIST test digits behind the live estimate when metrics.json files are missing

st.title("λ comparison")
st.markdown(
    "CycleGAN weighs its cycle-consistency loss by λ. With **λ = 0** nothing ties G(x) to x: the output looks "
    "like USPS but is free to become another digit. As λ grows, F(G(x)) must give x back, so G keeps the "
    "digit; a **large λ** also keeps the source's look, and the translations stay close to MNIST style."
)

names = catalog.available("translator")
missing_notice("translator")
models = get_models(names)
if not models:
    hint = catalog.how_to_get("cyclegan-lambda10")
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

clf_mnist, clf_usps = classifier("mnist"), classifier("usps")
if labels is None and clf_mnist is not None:
    labels = [r.digit for r in read_digits(clf_mnist, x)]

st.subheader("Inputs")
show_digits(x, [f"label {d}" for d in labels] if labels else None, scale=3)
for name, lam, result in compare_lambdas(models, x):
    st.markdown(f"**λ = {lam:g}** (`{name}`)")
    translated, back = st.columns(2)
    show_image(images.strip(result.translated, scale=3), "G(x): USPS style", where=translated)
    show_image(images.strip(result.reconstruction, scale=3), "F(G(x)): back to MNIST", where=back)
    if clf_usps is not None and labels:
        read = read_digits(clf_usps, result.translated)
        kept = sum(r.digit == d for r, d in zip(read, labels, strict=True))
        marks = " ".join(f"{r.digit}{'✓' if r.digit == d else '✗'}" for r, d in zip(read, labels, strict=True))
        translated.caption(f"USPS classifier reads {marks}: {kept}/{len(labels)} kept")


@st.cache_resource(show_spinner="Measuring the trade-off on MNIST test digits…", max_entries=4)
def _quick_tradeoff(folder: str, names: tuple[str, ...], n: int, _models: dict, _x, _y, _clf) -> list[dict]:
    return tradeoff(_models, _x, _y, _clf)


st.subheader("The trade-off")
recorded = {name: catalog.read_metrics(name) for name in models}
if all(recorded.values()):
    rows = [{**data["metrics"], "name": name} for name, data in recorded.items()]
    source = "full test sets, from each model's metrics.json (`python -m zoo.evaluate`)"
elif test is not None and clf_usps is not None:
    n = min(QUICK_IMAGES, len(test[1]))
    rows = _quick_tradeoff(str(weights_dir()), tuple(models), n, models, test[0][:n], test[1][:n], clf_usps)
    source = f"a quick live estimate on the first {n} MNIST test digits (some metrics.json files are missing)"
else:
    rows = []
    st.info("The chart needs each CycleGAN's metrics.json, or the MNIST test set and the USPS classifier.")
if rows:
    st.plotly_chart(plots.lambda_tradeoff(rows), key="tradeoff")
    st.caption(
        f"Labels kept: share of digits the USPS classifier still reads correctly after G. Cycle L1: mean "
        f"|F(G(x)) − x|. Measured on {source}."
    )

flipped = [row for row in rows if row.get("confusion_mnist_to_usps")]
if flipped:
    st.subheader("Which digits change")
    st.markdown(
        "A label-preservation figure says how many digits a translator changes, not which. Rows are the MNIST "
        "digit fed to G, columns what the USPS classifier reads in G(x); off the diagonal are the flips."
    )
    by_name = {f"λ = {row['lambda_cycle']:g}": row for row in sorted(flipped, key=lambda r: r["lambda_cycle"])}
    default = list(by_name).index("λ = 10") if "λ = 10" in by_name else 0
    chosen = by_name[st.selectbox("Translator", list(by_name), index=default, key="flips_model")]
    counts = chosen["confusion_mnist_to_usps"]
    title = f"{chosen['name']}: MNIST digit x → digit read in G(x)"
    st.plotly_chart(plots.confusion_heatmap(counts, title, read_by="USPS classifier"), key="flips")
    top = label_flips(counts)
    st.caption(
        ("Most frequent flips: " + ", ".join(str(f) for f in top) if top else "No digit flips in 5 % or more of cases.")
        + f" Measured on {source}."
    )
