"""Train live: a GAN trained in front of you, with the zoo's own training step, in a background thread."""

import streamlit as st

from pages._common import show_image
from train import live
from zoo import catalog, frontend, images, plots

REFRESH_S = 1.0
SCORE_EVERY = (50, 100, 200, 500)

st.title("Train live")
st.markdown(
    "Pick a GAN and its settings, press **Start**, and watch the two networks play their game: the grid shows "
    "the generator's digits for the same 64 noise vectors as it learns, the charts its losses, how the "
    "discriminator scores real and generated digits (for WGAN, the critic's estimate of the Wasserstein "
    "distance) and, every few steps, the Inception Score the zoo's MNIST classifier gives 500 samples. The "
    "training step is the zoo's own (`python -m train.<model>`), run in the background on this server."
)


def knob_key(model: str, knob: live.Knob) -> str:
    return f"{model}_{knob.dest}"


def shown(value) -> str:
    if value is None:
        return "same as G"
    if value == live.OFF:
        return "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def apply_preset() -> None:
    """Set the model and every knob from the chosen preset (the trainer's defaults under its settings)."""
    preset = live.PRESETS.get(st.session_state["preset"])
    if preset is None:
        return
    st.session_state["live_model"] = preset.model
    values = {**live.default_settings(preset.model), **preset.settings}
    for knob in live.knobs(preset.model):
        st.session_state[knob_key(preset.model, knob)] = values[knob.flag]


def start() -> None:
    model = st.session_state["live_model"]
    settings = {k.flag: st.session_state[knob_key(model, k)] for k in live.knobs(model)}
    try:
        training = live.LiveTraining(model, settings, frontend.reader("mnist"), score_every=st.session_state["every"])
        st.session_state["live"] = training.start()
        st.session_state.pop("live_saved", None)
    except (live.ServerBusy, ValueError) as err:
        st.session_state["live_error"] = str(err)


def reset() -> None:
    training = st.session_state.pop("live", None)
    if training is not None:
        training.stop()
    st.session_state.pop("live_saved", None)


def save() -> None:
    try:
        folder = st.session_state["live"].save(st.session_state["save_name"].strip())
        st.session_state["live_saved"] = (str(folder), live.zip_folder(folder))
    except (ValueError, RuntimeError, OSError) as err:
        st.session_state["live_error"] = f"Not saved: {err}"


if "live_model" not in st.session_state:  # a first visit opens on the preset that shows digits soonest
    st.session_state["preset"] = "dcgan-fast"
    apply_preset()

training: live.LiveTraining | None = st.session_state.get("live")
snapshot = training.snapshot() if training else None
busy = bool(snapshot and snapshot.active)

top = st.columns([2, 3])
top[0].selectbox(
    "Preset",
    ["custom", *live.PRESETS],
    format_func=lambda k: live.PRESETS[k].title if k in live.PRESETS else "Custom settings",
    key="preset",
    on_change=apply_preset,
    disabled=busy,
)
model = top[0].radio(
    "Model", list(live.MODELS), format_func=catalog.title, horizontal=True, key="live_model", disabled=busy
)
preset = live.PRESETS.get(st.session_state["preset"])
if preset:
    (top[1].warning if preset.failure else top[1].info)(f"**What to look for:** {preset.look_for}")
defaults = live.default_settings(model)
with st.expander("Settings", expanded=not training):  # folded away while the training runs: the view comes first
    columns = st.columns(5)
    for i, knob in enumerate(live.knobs(model)):
        key = knob_key(model, knob)
        st.session_state.setdefault(key, defaults[knob.flag])
        columns[i % 5].select_slider(
            knob.label, knob.options, format_func=shown, key=key, help=knob.help or None, disabled=busy
        )
    columns[len(live.knobs(model)) % 5].select_slider(
        "Inception Score every … steps", SCORE_EVERY, value=100, key="every", disabled=busy
    )

buttons = st.columns([1, 1, 1, 3])
buttons[0].button("Start", icon=":material/play_arrow:", on_click=start, disabled=training is not None, key="start")
if snapshot and snapshot.state == "paused":
    buttons[1].button("Resume", icon=":material/play_arrow:", on_click=training.resume, key="resume")
else:
    pause = training.pause if busy else None
    buttons[1].button("Pause", icon=":material/pause:", on_click=pause, disabled=not busy, key="pause")
buttons[2].button("Reset", icon=":material/restart_alt:", on_click=reset, disabled=training is None, key="reset")
buttons[3].caption(
    f"This server trains at most {live.max_concurrent()} model(s) at once (now {live.running()}). A training stops "
    f"when this tab closes, at its last step, or after {live.MAX_MINUTES:g} minutes."
)
if "live_error" in st.session_state:
    st.error(st.session_state.pop("live_error"))
st.session_state["live_refreshing"] = busy


@st.fragment(run_every=REFRESH_S if busy else None)
def progress(training: live.LiveTraining) -> None:
    """The live view; reruns about every second while the training runs, and its run is the heartbeat."""
    training.heartbeat()
    snap = training.snapshot()
    if st.session_state.get("live_refreshing") and not snap.active:
        st.rerun()  # the training ended: redraw the controls and stop refreshing
    minutes, seconds = divmod(int(snap.elapsed), 60)
    st.progress(
        snap.step / max(snap.steps, 1),
        text=f"**{snap.state.capitalize()}** · step {snap.step} / {snap.steps} · {minutes} min {seconds:02d} s of "
        f"training · {snap.images_per_s:,.0f} images/s",
    )
    if snap.message:
        (st.error if snap.state == "failed" else st.info)(snap.message)
    left, right = st.columns([2, 3])
    if snap.grid is not None:
        show_image(images.grid(snap.grid, nrow=8, scale=2), f"The same 64 noise vectors at step {snap.grid_step}", left)
    elif snap.state == "starting":
        left.info("Loading MNIST and building the networks…")
    figures = plots.training_curves(list(snap.log))
    for title in ("Losses", "D(real) and D(fake)", "Critic's Wasserstein estimate"):
        if title in figures:
            right.plotly_chart(figures[title], key=f"live-{title}")
    if snap.scores:
        right.plotly_chart(plots.live_scores(list(snap.scores)), key="live-scores")
        left.metric("Inception Score (500 samples)", f"{snap.scores[-1]['inception_score']:.2f}")
    elif training.classifier is None:
        left.caption("No MNIST classifier installed (`classifier-mnist`): no Inception Score.")


if training is not None:
    progress(training)
    st.subheader("Save as model")
    name_column, button_column = st.columns([3, 1])
    name_column.text_input(
        "Folder name", value=f"live-{snapshot.model}", key="save_name", help="lower-case letters, digits, . _ -"
    )
    button_column.button("Save as model", icon=":material/save:", on_click=save, key="save", disabled=not snapshot.step)
    if "live_saved" in st.session_state:
        folder, archive = st.session_state["live_saved"]
        st.success(f"Saved to `{folder}`: every page now offers it, and `zoo.load` reads it.")
        st.download_button("Download the model folder (zip)", archive, file_name=f"{folder.split('/')[-1]}.zip")
