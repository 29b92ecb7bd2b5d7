"""Bias: directions, words projected on them, WEAT, RIPA, DirectBias, and hard debiasing checked."""

import streamlit as st

from app.bias.core import direction_from_formula, gender_preset, load_weat_tests, project_words, two_axis, weat
from app.figures.plots import projection_bars, two_axis_figure
from app.text.inputs import parse_word_list
from pages._ui import bias as ui
from pages._ui.errors import report_errors
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
preset = gender_preset(space)

st.subheader("1. A direction")
direction = ui.direction_controls(space, preset)
if direction is None:
    st.stop()

st.subheader("2. Words on the direction")
default_words = "\n".join(ui.default_professions(preset))
words_text = st.text_area("Words to place (professions by default)", default_words, height=120, key="bias_words")
band = st.slider("Neutral band (± cosine)", 0.0, 0.3, 0.05, 0.01, key="band")
table = None
with report_errors("project the words"):
    table = project_words(space, direction, parse_word_list(words_text))
    if table.attrs.get("missing"):
        st.caption("Not in the space: " + ", ".join(table.attrs["missing"][:30]))
    st.plotly_chart(
        projection_bars(
            table, band=band, title=direction.name, positive=direction.positive, negative=direction.negative
        ),
        width="stretch",
    )
    st.download_button("Projections (CSV)", table.to_csv(index=False), "projections.csv", "text/csv")

with st.expander("Two directions at once (2-axis view)"):
    y_formula = st.text_input("Second direction (a formula)", "rich - poor", key="y_axis")
    with report_errors("draw the 2-axis view"):
        second = direction_from_formula(space, y_formula)
        plane = two_axis(space, direction, second, parse_word_list(words_text))
        st.plotly_chart(two_axis_figure(plane, x_name=direction.name, y_name=second.name), width="stretch")

st.subheader("3. WEAT: the Word Embedding Association Test")
ui.weat_section(space, load_weat_tests(), weat)

st.subheader("4. RIPA and DirectBias")
if table is not None:
    ui.ripa_direct_bias(space, direction, list(table["word"]))

st.subheader("5. Hard debiasing, and whether it worked")
ui.debias_section(space, direction, preset)
