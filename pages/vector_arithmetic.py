"""Vector arithmetic: mean(A) − mean(B) + mean(C) over latents of generated digits, as in the DCGAN paper."""

import streamlit as st
import torch

from pages._common import classifier, get_model, missing_notice, pick_model, reading_text, show_digits, show_image
from zoo import images, latent
from zoo.translation import read_digits

POOL = 64  # enough samples that the preset finds six of one digit and three of another
GROUP_KEYS = {"A": "group_a", "B": "group_b", "C": "group_c"}

st.title("Vector arithmetic")
st.markdown(
    "Radford et al. showed that latent vectors add up like concepts: *smiling woman − neutral woman + neutral "
    "man ≈ smiling man*, averaging three latents per concept to steady the result. Here the concepts are digits "
    "and styles. The preset picks **thick X − thin X + thin Y**: if the generator has a thickness direction, "
    "the result is a *thick Y*. Edit the groups to try your own."
)

name = pick_model("generator", "Generator", key="model", default="dcgan")
missing_notice("generator")
generator = get_model(name) if name else None
if generator is None:
    st.stop()

seed = int(st.number_input("Seed of the grid", min_value=0, max_value=2**31 - 1, value=0, key="seed"))
clf = classifier("mnist")
with torch.inference_mode():
    z = generator.latent(POOL, seed)
    samples = generator.decode(z)
readings = read_digits(clf, samples) if clf else None
preset, description = latent.thickness_preset(samples, [r.digit for r in readings] if readings else None)


def _use_preset() -> None:
    for group, key in GROUP_KEYS.items():
        st.session_state[key] = preset[group]


if st.session_state.get("_arithmetic_pool") != (name, seed):  # a new grid: its own preset
    _use_preset()
    st.session_state["_arithmetic_pool"] = (name, seed)

st.subheader(f"{POOL} samples (seed {seed})")
if readings is None:
    st.caption("The MNIST classifier is not installed: no readings, and the preset uses stroke thickness alone.")
with st.container(height=420):
    for c, column in enumerate(st.columns(8)):
        index = list(range(c, POOL, 8))
        with column:
            show_digits(samples[index], [f"#{i}" + (f" · {readings[i].digit}" if readings else "") for i in index], 2)


def _label(i: int) -> str:
    return f"#{i}" + (f" (reads {readings[i].digit})" if readings else "")


st.subheader("Groups")
st.button(f"Preset: {description}", on_click=_use_preset, key="preset")
picked = {
    group: st.multiselect(f"Group {group}", list(range(POOL)), format_func=_label, key=key)
    for group, key in GROUP_KEYS.items()
}
if not all(picked.values()):
    st.info("Pick at least one sample in each of A, B and C.")
    st.stop()

with torch.inference_mode():
    decoded = generator.decode(latent.arithmetic_terms(*(z[picked[g]] for g in GROUP_KEYS)))
outcome = read_digits(clf, decoded) if clf else None
titles = ["mean(A)", "mean(B)", "mean(C)", "mean(A) − mean(B) + mean(C)"]
st.subheader("Result")
show_digits(decoded, [f"{t}: {reading_text(outcome, i, 'classifier')}" for i, t in enumerate(titles)], scale=5)
show_image(images.strip(samples[picked["A"] + picked["B"] + picked["C"]], scale=2), "A, B and C as picked")
with st.expander("Latent vectors (first 8 of the coordinates)"):
    st.dataframe(
        [
            {"group": g, "sample": i, "‖z‖": round(float(z[i].norm()), 2)}
            | {f"z[{k}]": round(float(z[i, k]), 3) for k in range(min(8, generator.latent_dim))}
            for g in GROUP_KEYS
            for i in picked[g]
        ],
        hide_index=True,
    )
