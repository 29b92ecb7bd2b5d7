"""The lesson widgets a step can show (``show: widget <name> <words>``): each draws one idea on the
built-in data, from app/lessons/widgets.py, experiments.py and precomputed.py; shared results are
cached for every session."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.errors import InputError
from app.figures import lessons as figures
from app.lessons import experiments, precomputed, widgets
from app.space import EmbeddingSpace
from pages._ui import cached


# --- data the widgets draw from (shared by every session) ----------------------------------------
def glove() -> EmbeddingSpace:
    from app.io.samples import GLOVE_DEFAULT

    return cached.sample("glove", GLOVE_DEFAULT)


@st.cache_resource(show_spinner=False)
def _fasttext() -> EmbeddingSpace:
    return precomputed.load_fasttext()


@st.cache_resource(show_spinner=False)
def _runs(name: str) -> dict[str, EmbeddingSpace]:
    return precomputed.load_runs(name)


@st.cache_resource(show_spinner=False)
def _tiny_counts() -> widgets.Counts:
    return widgets.cooccurrences(widgets.tiny_sentences())


def _shared(key: tuple, compute: Callable[[], object]) -> object:
    return cached.results(shared=True).get_or_compute(("lessons", *key), compute)


# --- the widgets ----------------------------------------------------------------------------------
def _onehot(args: list[str]) -> None:
    if not args:
        raise InputError("onehot needs a word and a vocabulary")
    found = widgets.one_hot(glove(), args[0], args[1:] or args[:1])
    st.caption(
        f"Vocabulary of {len(found.vocabulary)} words → the one-hot vector of **{found.word}** "
        f"has {len(found.vocabulary)} numbers."
    )
    st.plotly_chart(figures.one_hot_figure(found.vocabulary, found.one_hot), key="onehot")
    st.caption("The lookup table (one row per word); the one-hot vector selects the highlighted row:")
    st.dataframe(
        found.table.round(2).style.apply(
            lambda r: ["background-color: #ffe08a" if r.name == found.word else "" for _ in r], axis=1
        ),
        height=330,
    )
    st.plotly_chart(
        figures.strips_figure(found.table.loc[[found.word]], f"the row of {found.word}: its dense vector"),
        key="onehot_row",
    )
    st.table(widgets.sizes(glove()).set_index(""))


def _strips(args: list[str]) -> None:
    st.plotly_chart(
        figures.strips_figure(widgets.strips(glove(), args), "GloVe vectors, one strip per word"), key="strips"
    )


def _cosine(args: list[str]) -> None:
    if len(args) != 2:
        raise InputError("cosine needs two words")
    found = widgets.cosine_by_hand(glove(), *args)
    cols = st.columns(4)
    cols[0].metric(f"{found.a} · {found.b}", f"{found.dot:.3f}", help="the sum of the products")
    cols[1].metric(f"|{found.a}|", f"{found.norm_a:.3f}")
    cols[2].metric(f"|{found.b}|", f"{found.norm_b:.3f}")
    cols[3].metric("cosine", f"{found.cosine:.3f}")
    st.markdown(f"cos = {found.dot:.3f} / ({found.norm_a:.3f} × {found.norm_b:.3f}) = **{found.cosine:.3f}**")
    st.dataframe(found.products.round(3), hide_index=True, height=360)


def _neighbours(args: list[str]) -> None:
    if not args:
        raise InputError("neighbours needs a word")
    k = int(args[1]) if len(args) > 1 and args[1].isdigit() else 10
    table = widgets.neighbours(glove(), args[0], k)
    st.markdown(f"The {len(table)} nearest words to **{args[0].lower()}** in GloVe (cosine):")
    st.dataframe(table, hide_index=True)


def _window(args: list[str]) -> None:
    sentence = int(args[0]) - 1 if args and args[0].isdigit() else 0
    window = int(args[1]) if len(args) > 1 and args[1].isdigit() else 2
    table = widgets.window_table(widgets.slow_motion(), sentence, window)
    st.markdown(
        f"Window of {window} words on each side; {sum(len(c.split()) for c in table['context (window)'])} pairs in all."
    )
    st.dataframe(table, hide_index=True, height=460)


def _sgd(args: list[str]) -> None:
    cbow = len(args) > 1 and args[1] == "cbow"
    model = widgets.slow_motion(cbow=cbow)
    steps = widgets.parse_steps(args[0] if args else "1", model)
    moved = widgets.train_slowly(model, steps)
    last = moved.last
    words = model.vocabulary
    centre, context = words[last.pair.centre], ", ".join(words[i] for i in last.pair.context)  # type: ignore[attr-defined]
    negatives = ", ".join(words[i] for i in last.negatives)  # type: ignore[attr-defined]
    kind = "CBOW" if cbow else "skip-gram"
    st.markdown(
        f"**{kind}, {steps} step{'s' * (steps > 1)}** (an epoch is {model.epoch_size} examples). Last example: "
        f"centre **{centre}**, context **{context}**; negatives drawn: *{negatives}*. "
        f"Its loss went from {last.loss_before:.3f} to {last.loss_after:.3f}."  # type: ignore[attr-defined]
    )
    title = f"input vectors before (grey) and after {steps} step{'s' * (steps > 1)}"
    st.plotly_chart(figures.movement_figure(words, moved.before, moved.after, moved.involved, title), key="sgd")
    if steps > 1:
        st.plotly_chart(figures.loss_figure(moved.losses), key="sgd_loss")


def _matrix(kind: str) -> Callable[[list[str]], None]:
    def draw(args: list[str]) -> None:
        counts = _tiny_counts()
        matrix = counts.counts if kind == "counts" else counts.ppmi
        table = widgets.submatrix(counts, matrix, args)
        title = "co-occurrence counts (window 2)" if kind == "counts" else "PPMI (0 = no more often than chance)"
        st.caption(
            f"The tiny corpus has {len(counts.words)} different words; "
            f"the full table is {len(counts.words)} × {len(counts.words)}."
        )
        st.plotly_chart(
            figures.matrix_figure(table, title, number_format=".0f" if kind == "counts" else ".1f"), key=kind
        )

    return draw


def _svd(args: list[str]) -> None:
    counts = _tiny_counts()
    space, singular = widgets.ppmi_space(counts, dimensions=10)
    st.plotly_chart(figures.bars_figure(singular, "singular values of the PPMI matrix"), key="svd_bars")
    chosen = [w.lower() for w in args if w.lower() in space]
    coords = space.vectors[[space.index(w) for w in chosen], :2]
    st.plotly_chart(
        figures.scatter_figure(chosen, coords, "the words on the SVD's first two directions"), key="svd_scatter"
    )


def _count_vs_predict(args: list[str]) -> None:
    counts = _tiny_counts()
    ppmi, _ = widgets.ppmi_space(counts, dimensions=10)
    word2vec = _shared(("tiny-word2vec",), widgets.word2vec_tiny)
    table = widgets.side_by_side({"PPMI + SVD (counting)": ppmi, "word2vec (predicting)": word2vec}, args)  # type: ignore[dict-item]
    st.dataframe(table, hide_index=True)
    st.caption(
        "Both 10 dimensions, window 2, on the 15 sentences of the tiny corpus; "
        "word2vec: gensim skip-gram, 200 epochs, seed 1."
    )


def _pictures(args: list[str]) -> None:
    n = int(args[0]) if args and args[0].isdigit() else 150
    space = glove()
    pictures = [
        _shared(("picture", n, "pca"), lambda: experiments.picture(space, n, "pca", label="PCA")),
        _shared(
            ("picture", n, "tsne", 30), lambda: experiments.picture(space, n, "tsne", label="t-SNE", perplexity=30)
        ),
    ]
    _draw_pictures(pictures)  # type: ignore[arg-type]


def _perplexity(args: list[str]) -> None:
    n = int(args[0]) if args and args[0].isdigit() else 150
    values = [int(a) for a in args[1:] if a.isdigit()] or [5, 15, 40]
    space = glove()
    pictures = [
        _shared(
            ("picture", n, "tsne", p),
            lambda p=p: experiments.picture(space, n, "tsne", label=f"t-SNE, perplexity {p}", perplexity=p),
        )
        for p in values
    ]
    _draw_pictures(pictures)  # type: ignore[arg-type]


def _draw_pictures(pictures: list[experiments.Picture]) -> None:
    panels = [(p.label, p.words, p.coords) for p in pictures]
    st.plotly_chart(figures.pictures_figure(panels), key="pictures")
    st.dataframe(experiments.distortion_table(pictures), hide_index=True)


def _subwords(args: list[str]) -> None:
    if not args:
        raise InputError("subwords needs a word")
    word2vec = _runs("seeds")["seed 1"]
    found = experiments.unseen_word(_fasttext(), word2vec, args[0])
    st.markdown(f"**{found.word}**'s character n-grams (3 to 5 letters; < and > mark the word's edges):")
    st.code(" ".join(found.ngrams), language=None)
    left, right = st.columns(2)
    with left:
        st.markdown("**fastText** (builds the vector from the n-grams):")
        st.dataframe(found.fasttext, hide_index=True)
    with right:
        st.markdown("**word2vec** (one row per word seen):")
        st.error(found.word2vec_message)
    st.caption(f"Both trained on the classroom corpus. {precomputed.FASTTEXT_ABOUT}")


def _dimensions(args: list[str]) -> None:
    word = args[0].lower() if args else "king"
    runs = _runs("dimensions")
    st.dataframe(experiments.dimensions_table(runs, word), hide_index=True)
    _made_how("dimensions")


def _seeds(args: list[str]) -> None:
    word = args[0].lower() if args else "king"
    runs = list(_runs("seeds").values())
    found = _shared(("seeds", word), lambda: experiments.compare_seeds(runs[0], runs[1], word))
    assert isinstance(found, experiments.SeedComparison)
    st.metric("Neighbours the two runs share, on average", f"{found.mean_overlap * found.k:.1f} of {found.k}")
    st.markdown(f"**{word}**'s neighbours in seed 1 and seed 2:")
    st.dataframe(found.word_table, hide_index=True)
    left, right = st.columns(2)
    left.markdown("Words whose neighbours **stay**")
    left.dataframe(found.stayers, hide_index=True)
    right.markdown("Words whose neighbours **move**")
    right.dataframe(found.movers, hide_index=True)
    _made_how("seeds")


def _made_how(name: str) -> None:
    """How the precomputed runs were made, and a button to make them again (on the job runner)."""
    recipe = precomputed.recipe(name)
    st.caption(f"Precomputed: {recipe.describe()} Made by `python -m app.lessons.precomputed`.")
    if st.button("Rerun this training now (about a minute)", key=f"rerun_{name}"):
        with st.spinner("training on the job runner..."):
            job = cached.job_runner().submit(
                f"lesson runs: {name}", precomputed.train_runs, name, owner=cached.session_id()
            )
            fresh = job.result()
        st.success(
            f"Retrained now: {', '.join(fresh)}. The tables above show the shipped runs; these are the fresh ones:"
        )
        word = "king"
        if name == "dimensions":
            st.dataframe(experiments.dimensions_table(fresh, word), hide_index=True)
        else:
            first, second = list(fresh.values())
            st.metric(
                "Shared neighbours, fresh runs",
                f"{experiments.compare_seeds(first, second, word).mean_overlap * 10:.1f} of 10",
            )


WIDGETS: dict[str, Callable[[list[str]], None]] = {
    "onehot": _onehot,
    "strips": _strips,
    "cosine": _cosine,
    "neighbours": _neighbours,
    "window": _window,
    "sgd": _sgd,
    "cooccurrence": _matrix("counts"),
    "ppmi": _matrix("ppmi"),
    "svd": _svd,
    "count_vs_predict": _count_vs_predict,
    "pictures": _pictures,
    "perplexity": _perplexity,
    "subwords": _subwords,
    "dimensions": _dimensions,
    "seeds": _seeds,
}
