"""Evaluate: benchmark scores for one or several spaces, the same numbers gensim reports."""

import hashlib
import html
from functools import partial

import pandas as pd
import streamlit as st

from app.evaluation.analogy_bench import METHODS, analogy_estimate, evaluate_analogies_on, search_range
from app.evaluation.benchmarks import BENCHMARKS, iter_benchmarks
from app.evaluation.vocabulary import GENSIM_RESTRICT_VOCAB
from app.evaluation.word_pairs import evaluate_word_pairs
from app.figures.evaluate import pairs_scatter, section_bars
from app.space import all_shared
from pages._ui import cached, state
from pages._ui.background import background_result
from pages._ui.errors import report_errors
from pages._ui.state import require_space
from pages._ui.text import plain
from pages._ui.widgets import page_setup

page_setup("Evaluate", ":material/leaderboard:")
st.title("Evaluate")
st.write(
    "How good is a space? Standard benchmarks ask it two kinds of questions: analogies "
    "(*Athens is to Greece as Baghdad is to ?*) and word similarity (*how alike are cup and mug?*, "
    "compared with what people answered). The numbers are those gensim reports, computed faster."
)
with st.expander("What am I looking at?"):
    st.markdown(
        "- **Analogy accuracy**: the share of questions whose best answer (3CosAdd, question words excluded, "
        "as gensim) is exactly the expected word. Google's set has *semantic* sections (capitals, currencies, "
        "family) and *syntactic* ones (`gram…`: plurals, tenses, comparatives).\n"
        "- **Only the first N words** (restrict vocabulary: gensim's 300,000, or the whole space when it is "
        "smaller) are searched; questions "
        "using a word outside them are skipped and counted as **OOV** (out of vocabulary). A space that knows "
        "fewer words answers fewer questions: compare accuracy *and* coverage.\n"
        "- **Word similarity**: Spearman's ρ between the people's scores and the model's cosines (1 = same "
        "ranking, 0 = unrelated). SimLex-999 rewards *similarity* (cup–mug) and punishes mere *relatedness* "
        "(cup–coffee); MEN and WordSim353 reward both, which is why the same space scores differently."
    )

active = require_space()
loaded = state.spaces()
chosen = st.multiselect("Spaces to evaluate", list(loaded), default=[active.name], key="eval_spaces")
spaces = [loaded[name] for name in chosen]
if not spaces:
    st.info("Choose at least one space.")
    st.stop()


def uploaded_benchmark(kind: str):
    """An uploaded benchmark file as (bytes, name), or None."""
    upload = st.file_uploader(f"Your own {kind} file", key=f"upload_{kind}")
    return (upload.getvalue(), upload.name) if upload is not None else None


analogy_tab, pairs_tab = st.tabs(["Analogies", "Word similarity"])

with analogy_tab:
    options = {b.key: b.name for b in iter_benchmarks("analogy")} | {
        "upload": "Upload my own (questions-words.txt format)"
    }
    which = st.radio("Benchmark", list(options), format_func=options.get, horizontal=True, key="analogy_set")
    source = BENCHMARKS[which].path if which != "upload" else uploaded_benchmark("analogy")
    cols = st.columns(3)
    method = cols[0].radio("Method", list(METHODS), format_func=METHODS.get, key="eval_method")
    bounds = search_range([len(s) for s in spaces])
    if not bounds.minimum <= st.session_state.get("restrict", bounds.default) <= bounds.maximum:
        del st.session_state["restrict"]  # the spaces changed and the old number no longer fits: back to the default
    restrict = cols[1].number_input(
        "Search the first N words",
        min_value=bounds.minimum,
        max_value=bounds.maximum,
        value=bounds.default,
        step=bounds.step,
        key="restrict",
        help=f"gensim searches its first {GENSIM_RESTRICT_VOCAB:,} words; the largest space here has "
        f"{bounds.maximum:,}.",
    )
    folded = cols[2].checkbox("Ignore case (as gensim)", True, key="case_insensitive")
    if source is None:
        st.info("Upload a file: sections start with ': name', then one question per line, 'a b c d'.")
    else:
        tag = which if which != "upload" else hashlib.blake2b(source[0], digest_size=8).hexdigest()
        key = ("analogies", tuple(s.fingerprint for s in spaces), tag, method, int(restrict), folded)
        results = background_result(
            slot="analogies",
            key=key,
            shared=which != "upload" and all_shared(*spaces),  # an uploaded benchmark is private data too
            label=f"{options[which]} on {len(spaces)} space(s)",
            work=partial(
                evaluate_analogies_on,
                spaces,
                source,
                restrict_vocab=int(restrict),
                case_insensitive=folded,
                method=method,
            ),
            estimate=analogy_estimate(spaces, restrict_vocab=int(restrict), method=method, source=source),
            button_label="Run the analogy benchmark",
        )
        if results:
            table = pd.DataFrame(
                [
                    {
                        "space": name,
                        "accuracy": r.accuracy,
                        "correct": r.correct,
                        "answered": r.total,
                        "OOV": r.oov,
                        "OOV %": round(r.oov_ratio, 1),
                    }
                    for name, r in results.items()
                ]
            )
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                column_config={"accuracy": st.column_config.ProgressColumn(min_value=0, max_value=1, format="%.3f")},
            )
            for name, r in results.items():
                st.caption(r.meaning(plain(name)))
            st.plotly_chart(section_bars({n: r.summary.iloc[:-1] for n, r in results.items()}), width="stretch")
            st.caption(
                "Each bar is one section's accuracy: the share of its answerable questions whose best answer "
                "was exactly the expected word."
            )
            first, result = next(iter(results.items()))
            with st.expander(f"Questions {plain(first)} got wrong"):
                st.dataframe(result.wrong.head(500), hide_index=True, width="stretch")
            sections = pd.concat([r.summary.assign(space=n) for n, r in results.items()])
            st.download_button("Sections (CSV)", sections.to_csv(index=False), "analogies.csv", "text/csv")

with pairs_tab:
    names = {b.key: b.name for b in iter_benchmarks("pairs")}
    picked = st.multiselect("Benchmarks", list(names), default=list(names), format_func=names.get, key="pair_sets")
    own = uploaded_benchmark("word-pair")
    rows, details = [], {}
    with report_errors("score the word pairs"):
        sources = [(names[k], k, BENCHMARKS[k].path) for k in picked]
        if own:
            sources.append((own[1], hashlib.blake2b(own[0], digest_size=8).hexdigest(), own))
        for space in spaces:
            for label, tag, path in sources:
                shared = space.shared and path is not own  # an uploaded benchmark is private data too
                result = cached.results(shared=shared).get_or_compute(  # once per class (shared data) or session
                    ("pairs", space.fingerprint, tag),
                    lambda space=space, path=path: evaluate_word_pairs(space, path, delimiter=None),
                )
                details[(space.name, label)] = result
                rows.append(
                    {
                        "space": space.name,
                        "benchmark": label,
                        "Spearman ρ": result.spearman,
                        "Pearson r": result.pearson,
                        "pairs used": result.evaluated,
                        "OOV %": round(result.oov_ratio, 1),
                    }
                )
    if rows:
        table = pd.DataFrame(rows)
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "Spearman ρ": st.column_config.NumberColumn(format="%.3f"),
                "Pearson r": st.column_config.NumberColumn(format="%.3f"),
            },
        )
        st.caption(
            "Spearman ρ: how well the model's ranking of the pairs by cosine matches people's ranking (1 = the same "
            "order, 0 = no relation); Pearson r compares the scores themselves; OOV % is the share of pairs skipped "
            "because a word is missing."
        )
        st.download_button("Scores (CSV)", table.to_csv(index=False), "word_pairs.csv", "text/csv")
        pick = st.selectbox("Look closer at", list(details), format_func=lambda k: f"{k[1]} on {k[0]}", key="closer")
        chosen_result = details[pick]
        left, right = st.columns([3, 2])
        title = html.escape(f"{pick[1]}: people vs model")  # plotly reads tags in titles
        left.plotly_chart(pairs_scatter(chosen_result.pairs, title=title), width="stretch")
        left.caption(chosen_result.meaning(plain(pick[0]), plain(pick[1])))
        right.markdown("**Where people and the model disagree most**")
        right.dataframe(chosen_result.worst(15)[["word1", "word2", "human", "model"]], hide_index=True, width="stretch")
