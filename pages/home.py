"""Gallery: what each GAN draws (side by side, one seed), then the measured figures with what they mean, then
per model its samples, memorisation check, card and training curves."""

import streamlit as st

from pages._common import cached, get_dataset, get_model, pick_model, shared, show_image
from zoo import catalog, frontend, gallery, report
from zoo.catalog import Objective
from zoo.folder import local, read_metrics, samples, weights_dir
from zoo.models import CycleGAN, Generator

SHEETS_PER_ROW = 4
TRUNCATIONS = [None, 2.0, 1.5, 1.0, 0.5]  # the samples' truncation choices, off first

st.title("GAN Zoo")
st.markdown(
    "Classic generative adversarial networks on handwritten digits: an MLP **GAN**, **DCGAN**, **WGAN** "
    "(weight clipping) and **OT-GAN** (Sinkhorn energy distance) generate MNIST digits from noise; "
    "**CycleGANs** trained with five cycle weights λ translate between MNIST and USPS without paired examples; "
    "two small classifiers measure them all. Every figure below was computed by the zoo's own code."
)

installed = catalog.available()
generators = catalog.available("generator")
seed = int(st.columns([1, 3])[0].number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="seed"))
if generators:
    st.header("What each GAN draws")
    sheets = cached(frontend.sample_sheets, tuple(generators), seed)
    for left in range(0, len(sheets), SHEETS_PER_ROW):
        for column, sheet in zip(st.columns(SHEETS_PER_ROW), sheets[left : left + SHEETS_PER_ROW], strict=False):
            show_image(sheet.picture, f"{sheet.title}, seed {seed}", where=column)
            column.caption(f"{sheet.figures}  \n[model card](?model={sheet.name})".lstrip())

tables = report.recorded_report(installed)
if tables:
    st.header("Measured figures")
    st.markdown(tables)
    st.caption("From each folder's metrics.json (`python -m zoo.evaluate`); *italic* rows are real data.")
    with st.expander("What the figures mean", expanded=True):
        st.markdown(report.legend(catalog.kind(n) or "" for n in installed))

rows = catalog.inventory()
with st.expander(f"Models: {len(installed)} installed in `{weights_dir()}`", expanded=not installed):
    st.dataframe(rows, hide_index=True)
    absent = [r["model"] for r in rows if r["installed"] == "missing"]
    if absent:
        st.info(
            "Missing models are skipped by every page. To add one:\n\n"
            + "\n".join(f"- **{n}**: {catalog.how_to_get(n)}" for n in absent)
        )

st.header("Model by model")
asked = st.query_params.get("model")  # a "model card" link above
opening = asked if asked in installed else catalog.default("generator")
name = pick_model(None, "Model", key="model", opening=opening)
model = get_model(name) if name else None

if isinstance(model, Generator):
    truncation = st.select_slider(
        "Truncation (BigGAN's trick)",
        TRUNCATIONS,
        value=None,
        format_func=lambda t: "off" if t is None else f"±{t:g}",
        key="truncation",
        help="Draw each latent coordinate from a normal cut at ±T instead of the full N(0, 1): fewer unusual "
        "samples, less variety. A way of sampling, not the model: the measured figures never use it "
        "(`python -m zoo.evaluate --truncation T` measures it apart).",
    )
    drawn = "" if truncation is None else f", latents truncated to ±{truncation:g}"
    show_image(cached(frontend.samples, name, seed, truncation), f"32 samples of {name}, seed {seed}{drawn}")
    st.subheader("Does it memorise?")
    if get_dataset("mnist", "train") is not None:
        st.markdown("Top: samples. Bottom: the nearest of the 60,000 MNIST training digits (pixel distance d).")
        show_image(cached(frontend.neighbours, name, seed))
        st.caption(report.memorisation_sentence(name))
elif isinstance(model, CycleGAN):
    test = get_dataset("mnist", "test")
    if test is not None:
        st.markdown(f"{Objective.of(model).label}. Rows: MNIST test digits, G(x) in USPS style, F(G(x)).")
        (grid,) = cached(frontend.comparison, (name,), test[0][:8].numpy(), tuple(test[1][:8].tolist()))
        show_image(grid.picture, grid.verdict or None)
elif model is not None:
    where = "in the tables above" if read_metrics(local(name)) else "measured by `python -m zoo.evaluate`"
    st.markdown(f"`{name}` is one of the zoo's measuring instruments; its test accuracy is {where}.")

if name:
    card = gallery.card_markdown(name)
    if card:
        with st.expander(f"Model card ({local(name) / 'README.md'})", expanded=asked == name):
            if url := gallery.card_url(name):
                st.markdown(f"[On the Hugging Face Hub]({url})")
            st.markdown(card)
    preview = samples(local(name))
    if preview is not None:
        with st.expander("Last preview written during training"):
            st.image(str(preview))
    figures = shared(gallery.training_curves, name)
    if figures:
        st.subheader("Training curves")
        for left in range(0, len(figures), 2):
            for column, figure in zip(st.columns(2), figures[left : left + 2], strict=False):
                column.plotly_chart(figure, key=f"curve-{name}-{left}-{figure.layout.title.text}")
    else:
        st.caption(f"No training_log.jsonl in `{local(name)}`: no curves to draw.")
