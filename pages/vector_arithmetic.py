"""Vector arithmetic: mean(A) − mean(B) + mean(C) over latents of generated digits, as in the DCGAN paper."""

import streamlit as st

from pages._common import chosen_model, show_digits, show_image
from zoo import frontend, images, latent
from zoo.latent import POOL
from zoo.metrics import read_digits

GROUP_KEYS = {"A": "group_a", "B": "group_b", "C": "group_c"}

st.title("Vector arithmetic")
st.markdown(
    "Radford et al. showed that latent vectors add up like concepts: *smiling woman − neutral woman + neutral "
    "man ≈ smiling man*, averaging three latents per concept to steady the result. Here the concepts are digits "
    "and styles. The preset picks **thick X − thin X + thin Y**: if the generator has a thickness direction, "
    "the result is a *thick Y*. Edit the groups to try your own."
)

name, generator = chosen_model("generator", "Generator")
if generator is None:
    st.stop()

seed = int(st.number_input("Seed of the grid", min_value=0, max_value=2**31 - 1, value=0, key="seed"))
clf = frontend.reader("mnist")
pool = latent.sample_pool(generator, seed, clf)
z, samples, readings, preset = pool.z, pool.samples, pool.readings, pool.preset


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
st.button(f"Preset: {pool.description}", on_click=_use_preset, key="preset")
picked = {
    group: st.multiselect(f"Group {group}", list(range(POOL)), format_func=_label, key=key)
    for group, key in GROUP_KEYS.items()
}
if not all(picked.values()):
    st.info("Pick at least one sample in each of A, B and C.")
    st.stop()

decoded = latent.arithmetic(generator, z, [picked[g] for g in GROUP_KEYS])
outcome = read_digits(clf, decoded) if clf else None
titles = ["mean(A)", "mean(B)", "mean(C)", "mean(A) − mean(B) + mean(C)"]
st.subheader("Result")
said = [f"classifier reads {r}" for r in outcome] if outcome else ["(classifier not installed)"] * len(titles)
show_digits(decoded, [f"{t}: {s}" for t, s in zip(titles, said, strict=True)], scale=5)
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
