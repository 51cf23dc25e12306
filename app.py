"""GAN Zoo in the browser: ``streamlit run app.py``. The menu is declared here; each page lives in pages/."""

import streamlit as st

st.set_page_config(page_title="GAN Zoo", page_icon=":material/draw:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Gallery", icon=":material/photo_library:", default=True),
    st.Page("pages/latent_walk.py", title="Latent walk", icon=":material/timeline:", url_path="latent-walk"),
    st.Page("pages/vector_arithmetic.py", title="Vector arithmetic", icon=":material/calculate:", url_path="sums"),
    st.Page("pages/lambda_comparison.py", title="λ comparison", icon=":material/compare:", url_path="lambda"),
    st.Page("pages/draw_translate.py", title="Draw and translate", icon=":material/draw:", url_path="draw"),
]

st.navigation(PAGES).run()
