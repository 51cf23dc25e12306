"""Gallery: what the zoo is, and per model its samples, measured figures, training curves and memorisation check."""

import streamlit as st
import torch

from pages._common import get_dataset, get_model, pick_model, show_digits, show_image
from zoo import catalog, images, plots
from zoo.catalog import Objective
from zoo.folder import local, read_metrics, read_training_log, samples, weights_dir
from zoo.metrics import nearest_training_digits
from zoo.models import CycleGAN, Generator
from zoo.report import recorded_report
from zoo.translation import cycle

st.title("GAN Zoo")
st.markdown(
    "Classic generative adversarial networks on handwritten digits: an MLP **GAN**, **DCGAN**, **WGAN** "
    "(weight clipping) and **OT-GAN** (Sinkhorn energy distance) generate MNIST digits from noise; "
    "**CycleGANs** trained with five cycle weights λ translate between MNIST and USPS without paired examples; "
    "two small classifiers measure them all. Every figure below was computed by the zoo's own code."
)

installed = catalog.available()
rows = catalog.inventory()
with st.expander(f"Models: {len(installed)} installed in `{weights_dir()}`", expanded=not installed):
    st.dataframe(rows, hide_index=True)
    absent = [r["model"] for r in rows if r["installed"] == "missing"]
    if absent:
        st.info(
            "Missing models are skipped by every page. To add one:\n\n"
            + "\n".join(f"- **{n}**: {catalog.how_to_get(n)}" for n in absent)
        )

tables = recorded_report(installed)
if tables:
    st.header("Measured figures")
    st.markdown(tables)
    st.caption("From each folder's metrics.json (`python -m zoo.evaluate`); *italic* rows are real data.")

st.header("Model by model")
name = pick_model(None, "Model", key="model")
model = get_model(name) if name else None

if isinstance(model, Generator):
    seed = int(st.number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="seed"))
    with torch.inference_mode():
        generated = model.sample(32, seed=seed)
    show_image(images.grid(generated, nrow=16, scale=3), f"32 samples of {name}, seed {seed}")

    st.subheader("Does it memorise?")
    train = get_dataset("mnist", "train")
    if train is not None:
        neighbours, distances = nearest_training_digits(generated[:8], train[0])
        st.markdown("Top: samples. Bottom: the nearest of the 60,000 MNIST training digits (pixel distance).")
        show_digits(generated[:8], [f"sample {i}" for i in range(8)], scale=3)
        show_digits(neighbours, [f"d = {d:.2f}" for d in distances.tolist()], scale=3)
        reference = (read_metrics(local(name)) or {}).get("metrics", {})
        if "nn_distance_median_test" in reference:
            st.caption(
                f"Unseen real test digits lie at a median distance of {reference['nn_distance_median_test']:.2f} "
                f"from their nearest training digit; this model's samples at {reference['nn_distance_median']:.2f} "
                f"({100 * reference['copy_share']:.1f} % closer than 99 % of real digits)."
            )
elif isinstance(model, CycleGAN):
    test = get_dataset("mnist", "test")
    if test is not None:
        result = cycle(model, test[0][:8])
        st.markdown(f"{Objective.of(model).label}. Rows: MNIST test digits, G(x) in USPS style, F(G(x)).")
        show_image(images.grid(torch.cat([result.source, result.translated, result.reconstruction]), 8, scale=3))
elif model is not None:
    where = "in the tables above" if read_metrics(local(name)) else "measured by `python -m zoo.evaluate`"
    st.markdown(f"`{name}` is one of the zoo's measuring instruments; its test accuracy is {where}.")

if name:
    preview = samples(local(name))
    if preview is not None:
        with st.expander("Last preview written during training"):
            st.image(str(preview))
    log = read_training_log(local(name))
    if log:
        st.subheader("Training curves")
        figures = list(plots.training_curves(log).values())
        for left in range(0, len(figures), 2):
            for column, figure in zip(st.columns(2), figures[left : left + 2], strict=False):
                column.plotly_chart(figure, key=f"curve-{name}-{left}-{figure.layout.title.text}")
    else:
        st.caption(f"No training_log.jsonl in `{local(name)}`: no curves to draw.")
