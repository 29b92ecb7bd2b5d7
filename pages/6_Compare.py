"""Compare: two spaces side by side: neighbour overlap per word, the words that moved, the linked
pictures, and which one scores better."""

import streamlit as st

from app.compare.movers import movers, stayers, word_table
from app.errors import InputError
from app.figures.compare import overlap_histogram
from pages._ui import compare as ui
from pages._ui import state
from pages._ui.text import plain
from pages._ui.url import between, bind
from pages._ui.widgets import page_setup

page_setup("Compare", ":material/difference:")
st.title("Compare two spaces")
st.write(
    "Two seeds of the same model, a space before and after debiasing, GloVe against what you trained: "
    "do they agree on which words are near which? This page measures it word by word, finds the words "
    "that moved, and draws both spaces facing the same way."
)
with st.expander("What am I looking at?"):
    st.markdown(ui.EXPLANATION)

bind("cmp_k", 10, between(int, 1, 100))
ui.load_pair_from_url()
loaded = state.spaces()
if len(loaded) < 2:
    ui.how_to_get_a_second(loaded)
    st.stop()

a, b = ui.pick_pair(loaded)
names = (a.name, b.name)
if a.fingerprint == b.fingerprint:
    st.info("Both pickers name the same vectors; choose two different spaces.")
    st.stop()

try:
    opts = ui.options()
    vocabulary = ui.vocabulary_for(a, b, opts)
except InputError as exc:
    st.error(plain(f"Could not choose the words: {exc}"))
    st.stop()
columns = st.columns(4)
columns[0].metric("Shared words compared", f"{len(vocabulary):,}")
columns[1].metric("Only in the first", f"{vocabulary.only_a:,}")
columns[2].metric("Only in the second", f"{vocabulary.only_b:,}")
if vocabulary.missing:
    st.caption(plain("Not in both spaces, left out: " + ", ".join(vocabulary.missing[:50])))

overlap = ui.overlap_for(a, b, vocabulary, opts)
if overlap is None:
    st.stop()
alignment, aligned_a, aligned_b = ui.alignment_for(a, b, vocabulary, opts)
columns[3].metric("Mean neighbour overlap", f"{overlap.mean:.2f}")

st.subheader("1. How much do the neighbourhoods agree?")
left, right = st.columns([3, 2])
left.plotly_chart(overlap_histogram(overlap.overlap, overlap.k), width="stretch", key="cmp_histogram")
right.markdown(
    f"On average a word keeps **{overlap.mean * overlap.k:.1f} of its {overlap.k}** nearest neighbours "
    f"(overlap {overlap.mean:.2f}). Bars on the right: words whose neighbourhood is the same in both spaces; "
    "on the left: words whose neighbours changed. Two trainings that differ only by their seed keep most; "
    "two unrelated spaces keep almost none."
)
if alignment is not None:
    right.markdown(
        f"Aligned on {alignment.anchors:,} anchor words with residual **{alignment.residual:.2f}** "
        "(0 = the second space is a rotation of the first, about 1.4 = unrelated); mean displacement "
        f"{float(alignment.displacement.mean()):.3f}."
    )

st.subheader("2. Word by word")
table = word_table(overlap, alignment)
ui.word_table_section(table)
st.download_button("Per-word table (CSV)", table.to_csv(index=False), "compare.csv", "text/csv")
word = ui.picked_word(overlap, alignment)
if word is not None:
    ui.neighbours_section(overlap, word, names)

st.subheader("3. Movers and stayers")
left, right = st.columns(2)
left.markdown("**Moved most** (fewest neighbours kept)")
left.dataframe(movers(overlap, alignment, n=20), hide_index=True, width="stretch")
right.markdown("**Stayed** (most neighbours kept)")
right.dataframe(stayers(overlap, alignment, n=20), hide_index=True, width="stretch")

st.subheader("4. Linked pictures")
ui.linked_section(overlap, alignment, (aligned_a, aligned_b), word, names)
if word is not None:
    st.markdown(f"**The neighbourhood of {plain(word)} in each space** (colour: 1 = a neighbour in both)")
    ui.small_multiples(overlap, alignment, (aligned_a, aligned_b), word, names)

st.subheader("5. A word or formula in both spaces")
ui.formula_section(a, b, word, overlap.k)

st.subheader("6. Which one scores better?")
scores = ui.scores_for(a, b)
st.dataframe(scores, hide_index=True, width="stretch")
st.caption(
    plain(f"First = {a.name}; second = {b.name}. ")
    + "ρ is Spearman's rank correlation between each space's cosines and people's similarity judgements "
    "(1 = the same order as people); higher is better, and differences of a few hundredths are noise."
)
ui.share_link(a, b)
