"""Analogies: a : b :: c : ?, honestly; odd one out; similarity of words and word lists."""

import streamlit as st

from app.figures.plots import analogy_figure
from app.geometry.analogies import (
    FAMOUS,
    METHODS,
    honesty_check,
    honesty_skipped,
    odd_one_out,
    similarity,
    solve,
    unknown_expected,
)
from app.text.inputs import check_word, parse_word_list
from pages._ui import url
from pages._ui.errors import report_errors
from pages._ui.state import require_space
from pages._ui.text import plain
from pages._ui.widgets import page_setup

page_setup("Analogies", ":material/compare_arrows:")
st.title("Analogies")
st.write(
    "*man is to king as woman is to ?* Word vectors answer by arithmetic: start at *king*, subtract "
    "*man*, add *woman*, and look for the nearest word. It works surprisingly often, and less often "
    "than the famous examples suggest."
)
with st.expander("What am I looking at?"):
    st.markdown(
        "- **3CosAdd** looks for the word closest to b − a + c (what gensim's `most_similar` does). "
        "**3CosMul** multiplies similarities instead of adding them, so one very similar word cannot "
        "dominate (Levy & Goldberg 2014). **PairDirection** only asks that ? − c point the same way as b − a.\n"
        "- **Excluding the question words** is the usual rule, and gensim's. Without it, the nearest word "
        "to king − man + woman is *king* itself in GloVe: the vector arithmetic alone does not reach "
        "*queen*. Nissim, van Noord & van der Goot (2020, *Fair is better than sensational*) show that "
        "many famous (and biased) analogies depend on this rule. Switch it off to see.\n"
        "- The **picture** puts just these words in 2D (PCA). The blue arrow is b − a; the red one is the "
        "answer's offset ? − c. If the analogy were a perfect parallelogram, the red arrow would be a copy "
        "of the blue one and end at the × (c + b − a)."
    )

space = require_space()
analogy_tab, odd_tab, similarity_tab = st.tabs(["a : b :: c : ?", "Odd one out", "Similarity"])

with analogy_tab:
    for key, default in (("a", "man"), ("b", "king"), ("c", "woman"), ("expected", "queen")):
        url.bind(key, default)
    url.bind("analogy_method", "3cosadd", url.one_of(list(METHODS)))
    cols = st.columns(4)
    cols[0].text_input("a", key="a")
    cols[1].text_input("is to b", key="b")
    cols[2].text_input("as c", key="c")
    cols[3].text_input("is to ? (your expected answer, optional)", key="expected")
    left, mid, right = st.columns([3, 1, 1.4])
    method = left.radio("Method", list(METHODS), format_func=METHODS.get, key="analogy_method")
    k = mid.slider("Answers", 1, 30, 10, key="analogy_k")
    exclude = right.toggle("Exclude the question words", value=True, key="exclude", help="gensim's rule")
    url.publish(["a", "b", "c", "expected", "analogy_method"])
    with report_errors("solve the analogy"):
        a, b, c, expected = (
            check_word(st.session_state[key], what)
            for key, what in (("a", "word a"), ("b", "word b"), ("c", "word c"), ("expected", "the expected answer"))
        )
        unknown = unknown_expected(space, expected)  # a typo there must not hide the answers
        answer = solve(
            space, a, b, c, method=method, k=k, exclude_question_words=exclude, expected=None if unknown else expected
        )
        result, picture = st.columns([2, 3])
        with result:
            st.markdown(f"**{plain(answer.a)} : {plain(answer.b)} :: {plain(answer.c)} : {plain(answer.best)}**")
            if unknown:
                message = plain(unknown[0].upper() + unknown[1:])
                st.error(f"{message} (a typo?), so it has no rank. The answers do not depend on it.")
            if answer.expected:
                if answer.expected_rank is None:
                    st.warning(f"{plain(repr(answer.expected))} is one of the question words, so it is excluded.")
                else:
                    st.metric(
                        f"Rank of {plain(repr(answer.expected))}",
                        f"#{answer.expected_rank:,}",
                        help=f"score {answer.expected_score:.3f} among {len(space):,} words",
                    )
            role = {"a": "a", "b": "b itself", "c": "c itself"}.get(answer.unrestricted_role or "")
            if role and exclude:
                st.info(
                    f"With nothing excluded, the top answer would be **{plain(answer.unrestricted_top)}**, that is "
                    f"{role}: the famous answer needs the rule that forbids it."
                )
            elif not role and exclude:
                st.caption(
                    f"Even with nothing excluded the top answer is {plain(repr(answer.unrestricted_top))}, a new word."
                )
            st.dataframe(
                answer.table,
                hide_index=True,
                width="stretch",
                column_config={"score": st.column_config.NumberColumn(format="%.3f")},
            )
        with picture:
            st.plotly_chart(analogy_figure(space, answer), width="stretch")

    st.markdown("#### How much do famous analogies owe to the exclusion rule?")
    if st.button(f"Check {len(FAMOUS)} famous analogies", key="check_famous"):
        with report_errors("check the famous analogies"):
            table, skipped = honesty_check(space), honesty_skipped(space)
            if table.empty:
                st.warning("None of the famous analogies' words are all in this space.")
            else:
                own = (table["that is"] != "a new word").sum()
                st.write(
                    f"In **{own} of {len(table)}**, the nearest word without the exclusion is one of the "
                    "question words."
                )
                st.dataframe(table, hide_index=True, width="stretch")
            if not skipped.empty:
                st.caption(
                    f"{len(skipped)} of the {len(FAMOUS)} were skipped because this space does not know one of "
                    "their words: "
                    + "; ".join(plain(f"{r.analogy} (missing: {r.missing})") for r in skipped.itertuples())
                )

with odd_tab:
    st.write("Which word does not belong? The one least similar to the group's average direction.")
    text = st.text_input("Words (commas or spaces)", "breakfast, cereal, dinner, lunch", key="odd_words")
    with report_errors("find the odd one out"):
        words = parse_word_list(text.replace(" ", ",")) if "," not in text else parse_word_list(text)
        table = odd_one_out(space, words)
        st.markdown(f"The odd one out: **{plain(table['word'].iloc[-1])}**")
        st.dataframe(table, hide_index=True, width="stretch")

with similarity_tab:
    st.write("Cosine similarity: 1 means the same direction, 0 unrelated, negative opposite.")
    left, right = st.columns(2)
    first = left.text_area("First word or list", "king", key="sim_left", height=80)
    second = right.text_area("Second word or list", "queen", key="sim_right", height=80)
    with report_errors("compare the words"):
        value = similarity(space, parse_word_list(first), parse_word_list(second))
        st.metric("Cosine similarity", f"{value:.3f}")
        st.caption("For lists: the cosine between the two lists' average vectors (gensim's n_similarity).")
