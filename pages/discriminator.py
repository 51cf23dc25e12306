"""The discriminator's view: how real a digit looks to each GAN's trained discriminator, where it sees "fake", and
what it would change to make the digit look real."""

import streamlit as st
import torch

import zoo
from pages._common import get_dataset, get_model, input_digit, show_digits, show_image
from zoo import catalog, frontend, images, realness
from zoo.data import resolve_data_dir
from zoo.folder import weights_dir

REFERENCE = 64  # real test digits and generated samples each score is read against
SOURCES = {"draw": "Draw", "upload": "Upload", "mnist": "MNIST test digit", "generated": "Generated digit"}

st.title("The discriminator's view")
st.markdown(
    "A GAN's generator only ever learns what its discriminator tells it. Here are the zoo's trained "
    "discriminators, each shipped beside its generator: give them a digit and see what each one thinks of it, "
    '**where** it sees "fake" (the gradient of its score with respect to the pixels), and what it would change '
    "to make the digit look real. Does its idea of real keep the digit a digit?"
)

names = catalog.discriminators()  # generator → its discriminator's folder name
if not names:
    st.warning(
        f"**No discriminator found** beside any generator in `{weights_dir()}`. A GAN trained with this "
        "repository's trainers exports one as `model/discriminator/`; for an earlier run, "
        "`python -m train.export_discriminator runs/<gan> --model-dir weights/<gan>` writes it from the run's "
        "checkpoint."
    )
    st.stop()
test = get_dataset("mnist", "test")
if test is None:
    st.stop()


@st.cache_resource(show_spinner="Reading the discriminators…", max_entries=16)
def judge_of(
    _discriminator: zoo.ZooModel, _generator: zoo.ZooModel, _real: torch.Tensor, folder: str, where: str
) -> realness.Judge:
    """One judge per discriminator and process: its reference readings on 64 real and 64 generated digits."""
    return realness.Judge(_discriminator, _real, _generator.sample(REFERENCE, seed=0))


where = f"{weights_dir()} {resolve_data_dir(None, 'mnist')}"  # a test (or a user) switching folders gets its own
judges = {}
for gan, folder in names.items():
    discriminator, generator = get_model(folder), get_model(gan)
    if discriminator is not None and generator is not None:
        judges[gan] = judge_of(discriminator, generator, test[0][:REFERENCE], folder, where)
if not judges:
    st.stop()

source = st.radio("Digit", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="source")
input_column, scores_column = st.columns([1, 4])
with input_column:
    if source != "generated":
        x = input_digit(source)
    else:
        gan = st.selectbox("Generator", list(judges), format_func=catalog.title, key="generator")
        seed = int(st.number_input("Seed", 0, 2**31 - 1, 0, key="seed"))
        x = get_model(gan).sample(1, seed=seed)
        st.caption(f"drawn by {catalog.title(gan)}'s generator, seed {seed}")
    if x is not None:
        show_digits(x, ["your digit, MNIST style"] if source in ("draw", "upload") else None)
if x is None:
    st.stop()

with scores_column:
    st.markdown(
        "**Each discriminator's reading.** Saliency: red where its ink looks fake (less ink would look more real), "
        "blue where ink is missing."
    )
    for column, (gan, judge) in zip(st.columns(len(judges)), judges.items(), strict=True):
        verdict = realness.verdict(judge, x)
        column.metric(f"{catalog.title(gan)}: {verdict.label}", f"{verdict.value:.3g}")
        column.caption(f"real digits {verdict.real:.3g} · its samples {verdict.generated:.3g}")
        show_image(realness.saliency_picture(x, realness.saliency(judge, x)), where=column)
        column.caption(verdict.meaning)

st.subheader("Make it more real")
st.markdown(
    "Gradient ascent on the image itself: each step nudges the pixels the way the chosen discriminator says "
    "would look more real. The zoo's classifier reads every frame."
)
left, middle, right = st.columns(3)
chosen = left.selectbox("Discriminator", list(judges), format_func=catalog.title, key="ascend_with")
steps = middle.slider("Steps", 1, 16, 8, key="steps")
step_size = right.select_slider("Step size (of the pixel range)", [0.05, 0.1, 0.2, 0.3, 0.5], 0.2, key="step_size")
judge = judges[chosen]
ascent = realness.make_more_real(judge, x, steps, step_size, frontend.reader("mnist"))
captions = [
    f"{'start' if k == 0 else f'step {k}'}: {value:.3g}" + (f" · reads {ascent.readings[k]}" if ascent.readings else "")
    for k, value in enumerate(ascent.values)
]
for column, frame, caption in zip(st.columns(len(captions)), images.to_pils(ascent.frames, 4), captions, strict=True):
    show_image(frame, caption, where=column, width="stretch")  # one size for every frame, whatever its caption
st.caption(f"{judge.label} of {catalog.title(chosen)}'s discriminator under each frame, then the digit read.")
