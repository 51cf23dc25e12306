"""Vector arithmetic: mean(A) − mean(B) + mean(C) over latents of generated digits, as in the DCGAN paper."""

import streamlit as st

from pages._common import cached, chosen_model, show_image
from zoo import frontend
from zoo.latent import POOL

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
pool = cached(frontend.pool, name, seed)


def _use_preset() -> None:
    for group, key in GROUP_KEYS.items():
        st.session_state[key] = pool.preset[group]


if st.session_state.get("_arithmetic_pool") != (name, seed):  # a new grid: its own preset
    _use_preset()
    st.session_state["_arithmetic_pool"] = (name, seed)


def _label(i: int) -> str:
    return f"#{i}" + (f" (reads {pool.digits[i]})" if pool.digits else "")


pool_column, groups_column = st.columns(2, gap="large")
with pool_column:
    st.subheader(f"{POOL} samples (seed {seed})")
    if pool.digits is None:
        st.caption("The MNIST classifier is not installed: no readings, and the preset uses stroke thickness alone.")
    readings = " · what the MNIST classifier reads" if pool.digits else ""
    show_image(pool.picture, f"Under each sample: its number{readings}")
with groups_column:
    st.subheader("Groups")
    st.button(f"Preset: {pool.description}", on_click=_use_preset, key="preset")
    picked = {
        group: st.multiselect(f"Group {group}", list(range(POOL)), format_func=_label, key=key)
        for group, key in GROUP_KEYS.items()
    }
if not all(picked.values()):
    st.info("Pick at least one sample in each of A, B and C.")
    st.stop()

groups = tuple(tuple(picked[g]) for g in GROUP_KEYS)
result = cached(frontend.arithmetic, name, seed, groups, tuple(pool.digits) if pool.digits else None)
st.subheader("Result")
if result.readings is None:
    st.caption("The MNIST classifier is not installed: the results are not read.")
show_image(result.picture, "mean(A) · mean(B) · mean(C) · mean(A) − mean(B) + mean(C), decoded")
if result.message:
    st.warning(result.message)
elif result.intended is not None:
    st.caption(f"The result reads as {result.intended}, the digit C asks for.")
st.download_button(
    "Download the result (PNG)",
    result.picture,
    file_name=f"{name}-arithmetic-seed{seed}.png",
    mime="image/png",
    icon=":material/download:",
    key="download",
)

show_image(result.picked, "A, B and C as picked")
with st.expander("Latent vectors (first 8 of the coordinates)"):
    st.dataframe(result.latents, hide_index=True)
