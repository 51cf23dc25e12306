"""GAN Zoo in the browser: ``streamlit run app.py``. The menu is declared here; each page lives in pages/."""

import streamlit as st

from zoo.frontend import serve_threads

# An emoji icon is drawn by the browser; a ":material/…:" one is fetched from a font CDN, which fails offline.
st.set_page_config(page_title="GAN Zoo", page_icon="✍️", layout="wide")
serve_threads()  # one torch thread per request: sessions and background jobs do not stall each other

PAGES = [
    st.Page("pages/home.py", title="Gallery", icon=":material/photo_library:", default=True),
    st.Page("pages/latent_walk.py", title="Latent walk", icon=":material/timeline:", url_path="latent-walk"),
    st.Page("pages/vector_arithmetic.py", title="Vector arithmetic", icon=":material/calculate:", url_path="sums"),
    st.Page("pages/lambda_comparison.py", title="λ comparison", icon=":material/compare:", url_path="lambda"),
    st.Page("pages/draw_translate.py", title="Draw and translate", icon=":material/draw:", url_path="draw"),
    st.Page("pages/train_live.py", title="Train live", icon=":material/model_training:", url_path="train"),
    st.Page("pages/discriminator.py", title="Discriminator's view", icon=":material/policy:", url_path="discriminator"),
    st.Page("pages/transport.py", title="Optimal transport", icon=":material/conversion_path:", url_path="transport"),
]

page = st.navigation(PAGES)

live_training = st.session_state.get("live")  # a live training (pages/train_live.py) goes on while other pages show
if live_training is not None and live_training.snapshot().active:

    @st.fragment(run_every=2.0)
    def _keep_training() -> None:
        """The session is still open: the heartbeat that keeps its live training going, from any page."""
        live_training.heartbeat()
        snap = live_training.snapshot()
        st.caption(f"Training live: step {snap.step} / {snap.steps} ({snap.state})")

    with st.sidebar:
        _keep_training()

page.run()
