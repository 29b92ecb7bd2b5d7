"""Bias: directions, words projected on them, WEAT, RIPA, DirectBias, and hard debiasing checked."""

import streamlit as st

from app.bias.presets import load_weat_tests
from pages._ui import bias as ui
from pages._ui.state import require_space
from pages._ui.widgets import page_setup

page_setup("Bias", ":material/balance:")
st.title("Bias")
st.write(
    "Embeddings learn the associations in the text they were trained on, including stereotypes: "
    "professions that lean towards *he* or *she*, names that sit nearer to *pleasant* or *unpleasant*. "
    "This page measures those associations, and shows how much a popular fix really removes."
)
with st.expander("What do these numbers mean, and what do they not mean?"):
    st.markdown(ui.EXPLANATION)

space = require_space()

st.subheader("1. A direction")
direction = ui.direction_controls(space)
if direction is None:
    st.stop()

st.subheader("2. Words on the direction")
table = ui.words_on_direction(space, direction)
words = [] if table is None else list(table["word"])

st.subheader("3. WEAT: the Word Embedding Association Test")
ui.weat_section(space, load_weat_tests())

st.subheader("4. RIPA and DirectBias")
strictness = ui.ripa_direct_bias(space, direction, words) if words else 1.0

st.subheader("5. Hard debiasing, and whether it worked")
ui.debias_section(space, direction, words, strictness)
