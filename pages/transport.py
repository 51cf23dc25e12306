"""Optimal transport, visible: the Sinkhorn plan OT-GAN computes between a real and a generated batch, at any ε."""

import streamlit as st

from pages._common import get_dataset, get_model, show_image
from zoo import catalog, plots, transport
from zoo.data import random_examples
from zoo.folder import discriminator_folder, local

SPACES = {"pixels": "Pixels (the digits' ink)", "critic": "OT-GAN critic's features (the learned cost)"}

st.title("Optimal transport, visible")
st.markdown(
    "OT-GAN does not judge digits one by one: it compares a whole batch of real digits with a whole batch of "
    "generated ones by the cheapest way to turn one into the other, an *optimal transport* plan computed with "
    "Sinkhorn's algorithm (the same `zoo.ot` code it trains with). Each real digit sends its mass to generated "
    "ones; the lines below show where it goes. The entropy weight **ε** decides how sharp the plan is: large ε "
    "spreads every digit's mass over the whole batch, small ε matches digits one to one."
)

generators = catalog.available("generator")
if not generators:
    st.warning("No generator is installed: this page needs one (OT-GAN's, ideally) to draw the generated batch.")
    st.stop()
name = "otgan" if "otgan" in generators else catalog.default("generator")
generator = get_model(name)
test = get_dataset("mnist", "test")
if generator is None or test is None:
    st.stop()
critic_folder = discriminator_folder(local(name)) if name == "otgan" else None
critic = get_model(f"{name}/discriminator") if critic_folder else None

left, middle, right = st.columns(3)
n = left.slider("Digits per batch", 4, 16, 8, key="n")
seed = int(left.number_input("Seed (both batches)", 0, 2**31 - 1, 0, key="seed"))
epsilon = middle.select_slider("ε (entropy weight)", transport.EPSILONS, value=0.01, key="epsilon")
middle.caption("OT-GAN trains with ε = 0.002.")
space = right.radio(
    "Cost measured in",
    list(SPACES),
    format_func=SPACES.get,
    key="space",
    index=1 if critic is not None else 0,
    disabled=critic is None,
)
if name != "otgan":
    st.info(f"OT-GAN's generator is not installed: the generated batch comes from `{name}` instead.")
if critic is None:
    right.caption("OT-GAN's critic is not shipped beside its generator: the cost is measured in pixel space.")

picks = random_examples(2 * n, len(test[0]), seed)
real, real2 = test[0][picks[:n]], test[0][picks[n:]]
generated = generator.sample(2 * n, seed=seed)
result = transport.transport(real, generated[:n], real2, generated[n:], epsilon, critic if space == "critic" else None)

a, b, c = st.columns(3)
a.metric("Sinkhorn distance W(real, generated)", f"{result.sinkhorn:.4f}")
b.metric("Mini-batch energy distance", f"{result.energy:.4f}", help="OT-GAN's loss, with a second batch of each")
c.metric("Mass sent to the best match", f"{100 * result.sharpness:.0f} %", help=f"uniform: {100 / n:.0f} %")
show_image(
    transport.matching_picture(real, generated[:n], result.plan, scale=3),
    f"Top: real MNIST test digits. Bottom: {catalog.title(name)}'s samples. A line's opacity is the share of the "
    "real digit's mass the plan sends along it.",
)
st.plotly_chart(plots.transport_plan(result.cost, result.plan, epsilon), key="plan")
st.caption(
    "The energy distance compares within-batch and across-batch transport costs, "
    "W(X,Y) + W(X,Y') + W(X',Y) + W(X',Y') − 2 W(X,X') − 2 W(Y,Y'), with a second real batch X' and a second "
    "generated batch Y' (not shown): it is near 0 when the generated digits are as close to the real ones as real "
    "ones are to each other."
)
