"""Evaluate: benchmark scores for one or several spaces, the same numbers gensim reports."""

import hashlib
from functools import partial

import pandas as pd
import streamlit as st

from app.evaluation.core import BENCHMARKS, METHODS, evaluate_analogies_on, evaluate_word_pairs, iter_benchmarks
from app.figures.evaluate import pairs_scatter, section_bars
from pages._ui import cached, state
from pages._ui.background import background_result
from pages._ui.state import require_space
from pages._ui.widgets import page_setup, report_errors

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
        "- **Only the first N words** (restrict vocabulary, 300,000 by default as gensim) are searched; questions "
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
    restrict = cols[1].number_input("Search the first N words", 1_000, 2_000_000, 300_000, step=10_000, key="restrict")
    folded = cols[2].checkbox("Ignore case (as gensim)", True, key="case_insensitive")
    if source is None:
        st.info("Upload a file: sections start with ': name', then one question per line, 'a b c d'.")
    else:
        tag = which if which != "upload" else hashlib.blake2b(source[0], digest_size=8).hexdigest()
        key = ("analogies", tuple(s.fingerprint for s in spaces), tag, method, int(restrict), folded)

        vocabulary = sum(min(len(s), int(restrict)) for s in spaces)
        results = background_result(
            slot="analogies",
            key=key,
            label=f"{options[which]} on {len(spaces)} space(s)",
            work=partial(evaluate_analogies_on, spaces, source, int(restrict), folded, method),
            estimate_seconds=1 + 20_000 * vocabulary * 50 / 5e10 * (2.5 if method == "3cosmul" else 1),
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
            st.plotly_chart(section_bars({n: r.summary.iloc[:-1] for n, r in results.items()}), width="stretch")
            first, result = next(iter(results.items()))
            with st.expander(f"Questions {first} got wrong"):
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
                result = cached.results().get_or_compute(  # scored once per server, not on every rerun
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
        st.download_button("Scores (CSV)", table.to_csv(index=False), "word_pairs.csv", "text/csv")
        pick = st.selectbox("Look closer at", list(details), format_func=lambda k: f"{k[1]} on {k[0]}", key="closer")
        chosen_result = details[pick]
        left, right = st.columns([3, 2])
        left.plotly_chart(pairs_scatter(chosen_result.pairs, title=f"{pick[1]}: people vs model"), width="stretch")
        right.markdown("**Where people and the model disagree most**")
        right.dataframe(chosen_result.worst(15)[["word1", "word2", "human", "model"]], hide_index=True, width="stretch")
