"""The Explore page's pieces: URL-bound settings, projection jobs with progress, the picture,
the neighbour and selection panels, and downloads. Computation stays in app/."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from app.errors import InputError
from app.figures.plots import Colouring, ScatterOptions, scatter_figure
from app.geometry.clusters import Clustering, cluster
from app.geometry.neighbours import Neighbours, nearest
from app.geometry.selection import MODES, matching_rows
from app.io.export import coordinates_frame, to_projector_tsv, to_word2vec_text
from app.projection.distortion import Distortion, distortion
from app.projection.methods import METHODS, Projection, project
from app.space import EmbeddingSpace
from pages._ui import cached, url
from pages._ui.background import background_result

DISTORTION_K = 10
AUTO_DISTORTION_POINTS = 20_000
URL_KEYS = [
    "mode", "n", "sample_seed", "pattern", "words", "word", "k_around", "method", "dims", "metric",
    "perplexity", "n_neighbors", "min_dist", "colour", "n_clusters", "labels", "find", "query", "k", "query_metric",
]  # fmt: skip

EXPLANATION = """
- Each dot is a word (or image, or document). The space has tens or hundreds of dimensions; the
  picture has 2 or 3, so **every projection throws information away**.
- **PCA** keeps the directions of greatest spread: honest about large distances, but clusters overlap.
  **t-SNE** and **UMAP** keep each point's close neighbours together: clusters are clear, but the
  distances *between* clusters and the sizes of clusters mean little.
- **Distortion**: for every point we take its 10 nearest neighbours in the full space and count how
  many are still among its 10 nearest in the picture. 100% means the picture kept its neighbourhood;
  0% means its neighbours in the picture are strangers. **Trustworthiness** (0 to 1) asks the reverse:
  are the neighbours you *see* real? Above 0.9 is good; PCA of word vectors is often near 0.7.
- **Neighbours** in the panel below are always computed in the full space, never from the picture.
- Drag a box or lasso around points to list them with their neighbours; the search box highlights
  words and zooms to them. Settings are kept in the address bar: copy it to share this view.
"""


def bind_url_defaults(space: EmbeddingSpace) -> None:
    """Initial widget values: from the URL when it has them, sensible defaults otherwise."""
    url.bind("mode", "top", url.one_of(list(MODES)))
    url.bind("n", min(2_000, max(10, len(space))), url.between(int, 10, 100_000))
    url.bind("sample_seed", 0, url.between(int, 0, 10_000))
    url.bind("pattern", "")
    url.bind("words", "")
    url.bind("word", space.words[0])
    url.bind("k_around", 50, url.between(int, 5, 500))
    url.bind("method", "pca", url.one_of(list(METHODS)))
    url.bind("dims", 2, url.between(int, 2, 3))
    url.bind("metric", "cosine", url.one_of(["cosine", "euclidean"]))
    url.bind("perplexity", 30, url.between(int, 5, 100))
    url.bind("n_neighbors", 15, url.between(int, 2, 100))
    url.bind("min_dist", 0.1, url.between(float, 0.0, 1.0))
    url.bind("colour", "auto")
    url.bind("n_clusters", 8, url.between(int, 2, 30))
    url.bind("labels", 100, url.between(int, 0, 300))
    url.bind("find", "")
    url.bind("query", "")
    url.bind("k", 10, url.between(int, 1, 50))
    url.bind("query_metric", "cosine", url.one_of(["cosine", "euclidean"]))


# --- projections ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectionRequest:
    """What to project and how; ``key`` is the cache key (content fingerprint + parameters)."""

    space: EmbeddingSpace
    method: str
    dims: int
    metric: str
    params: tuple[tuple[str, float], ...]
    seed: int = 0

    @classmethod
    def from_state(cls, space: EmbeddingSpace) -> ProjectionRequest:
        method = st.session_state["method"]
        names = {"tsne": ["perplexity"], "umap": ["n_neighbors", "min_dist"]}.get(method, [])
        params = tuple((name, st.session_state[name]) for name in names)
        return cls(space, method, int(st.session_state["dims"]), st.session_state["metric"], params)

    @property
    def key(self) -> tuple:
        return ("projection", self.space.fingerprint, self.method, self.dims, self.metric, self.params, self.seed)

    @property
    def label(self) -> str:
        return f"{METHODS[self.method].label} {self.dims}D of {len(self.space):,} points"

    def job(self) -> partial:
        """The projection as a picklable call (it may run in a worker process)."""
        return partial(
            project, self.space, self.method, self.dims, seed=self.seed, metric=self.metric, **dict(self.params)
        )


def projection_for(request: ProjectionRequest) -> Projection | None:
    """The cached projection, PCA at once, or t-SNE/UMAP as a background job with progress."""
    results = cached.results(shared=request.space.shared)
    found = results.get(request.key)
    if found is not None:
        return found
    if request.method == "pca":
        try:
            found = request.job()()
        except InputError as exc:
            st.error(f"Could not project: {exc}")
            return None
        results.put(request.key, found)
        return found
    spec = METHODS[request.method]
    if len(request.space) > spec.max_points:
        st.error(f"{spec.label} is limited to {spec.max_points:,} points here; choose fewer points or PCA/UMAP.")
        return None
    return background_result(
        slot="projection",
        key=request.key,
        shared=request.space.shared,
        label=request.label,
        work=request.job(),
        estimate_seconds=spec.estimate_seconds(len(request.space), request.space.dim),
        button_label=f"Run {spec.label}",
    )


# --- the picture ------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    colour: str
    n_clusters: int
    labels: int
    find: str


@dataclass(frozen=True)
class Shown:
    highlight: int
    neighbours_in_picture: int
    distortion: Distortion | None
    clustering: Clustering | None


def colour_options(space: EmbeddingSpace) -> dict[str, str]:
    options = {"none": "one colour", "kmeans": "clusters (k-means)", "hdbscan": "clusters (HDBSCAN, density)"}
    options["rank"] = "position in the file (frequency rank)"
    if space.metadata is not None:
        options |= {f"meta:{c}": f"metadata: {c}" for c in space.metadata.columns if str(c) != "frequency_rank"}
    options["distortion"] = "distortion: neighbours kept"
    return options


def _auto_colour(space: EmbeddingSpace, options: dict[str, str]) -> str:
    if space.metadata is not None:
        for column in space.metadata.columns:
            if f"meta:{column}" in options and 1 < space.metadata[column].nunique() <= 20:
                return f"meta:{column}"
    return "kmeans"


def view_controls(space: EmbeddingSpace, projection: Projection) -> View:
    options = colour_options(space)
    if st.session_state.get("colour") not in options:
        st.session_state["colour"] = _auto_colour(space, options)
    cols = st.columns([2, 1, 1, 2])
    colour = cols[0].selectbox("Colour by", list(options), format_func=options.get, key="colour")
    if colour == "kmeans":
        cols[1].slider("Clusters", 2, 30, key="n_clusters")
    cols[2].slider("Word labels", 0, 300, step=10, key="labels", help="Labels on the first N points")
    cols[3].text_input("Find words in the picture", key="find", placeholder="e.g. queen or ^un")
    return View(colour, int(st.session_state["n_clusters"]), int(st.session_state["labels"]), st.session_state["find"])


def figure_for(space: EmbeddingSpace, projection: Projection, view: View, neighbours: Neighbours | None):
    """The plotly figure and what it shows (highlights, distortion, clusters)."""
    results = cached.results(shared=space.shared)
    measured = None
    if len(space) <= AUTO_DISTORTION_POINTS and len(space) > DISTORTION_K:
        measured = results.get_or_compute(
            ("distortion", projection_key(space, projection)),
            lambda: distortion(space.vectors, projection.coords, DISTORTION_K, metric=projection.params["metric"]),
        )
    clustering = None
    colouring = None
    if view.colour in ("kmeans", "hdbscan"):
        try:
            clustering = results.get_or_compute(
                ("clusters", space.fingerprint, view.colour, view.n_clusters),
                lambda: cluster(space, view.colour, k=min(view.n_clusters, len(space)), min_cluster_size=10),
            )
            colouring = Colouring("cluster", clustering.label_names())
        except InputError as exc:
            st.warning(f"No clusters: {exc}")
    elif view.colour == "rank":
        ranks = space.metadata.get("frequency_rank") if space.metadata is not None else None
        values = ranks.to_numpy() if ranks is not None else np.arange(1, len(space) + 1)
        colouring = Colouring("rank", np.log10(values.astype(float)), numeric=True, colorscale="Plasma_r")
        colouring.title = "log10 rank"
    elif view.colour.startswith("meta:"):
        column = space.metadata[view.colour[5:]]
        numeric = pd.api.types.is_numeric_dtype(column) and column.nunique() > 20
        colouring = Colouring(view.colour[5:], column.to_numpy(), numeric=numeric)
    elif view.colour == "distortion" and measured is not None:
        colouring = Colouring("neighbours kept", measured.kept, numeric=True, colorscale="RdYlGn", range=(0, 1))
    highlight = []
    if view.find.strip():
        try:
            highlight = matching_rows(space, view.find)
        except InputError as exc:  # a refused search should not hide the picture
            st.warning(f"Could not find words: {exc}")
    neighbour_rows = [space.index(w) for w in neighbours.words if w in space] if neighbours else []
    options = ScatterOptions(
        labels=view.labels,
        colouring=colouring,
        hover=space.metadata,
        highlight=highlight,
        highlight_name=f"matches for {view.find.strip()!r}" if highlight else "",
        neighbours=neighbour_rows,
    )
    figure = scatter_figure(projection.coords, space.words, options)
    return figure, Shown(len(highlight), len(neighbour_rows), measured, clustering)


def projection_key(space: EmbeddingSpace, projection: Projection) -> tuple:
    return (space.fingerprint, projection.method, projection.n_components, tuple(sorted(projection.params.items())))


def describe(projection: Projection, view: View, shown: Shown) -> None:
    """The numbers under the picture, each with what it means."""
    cols = st.columns(3)
    cols[0].metric("Computed in", f"{projection.seconds:.1f} s")
    if projection.explained_variance:
        share = sum(projection.explained_variance)
        cols[0].caption(
            f"PCA keeps {share:.0%} of the spread: "
            + ", ".join(f"{v:.1%}" for v in projection.explained_variance)
            + " per axis."
        )
    if shown.distortion is not None:
        d = shown.distortion
        cols[1].metric("Neighbours kept", f"{d.mean_kept:.0%}", help="Average share of each point's 10 nearest")
        cols[1].caption(
            f"Of each point's {d.k} nearest neighbours in the full space, "
            f"this share is among its {d.k} nearest in the picture."
        )
        cols[2].metric("Trustworthiness", f"{d.trustworthiness:.2f}")
        sample = f" (on a sample of {d.trust_sample:,})" if d.trust_sample < len(d.kept) else ""
        cols[2].caption(f"1.0: every neighbour you see is real; below 0.8: the picture invents closeness{sample}.")
    else:
        cols[1].caption(f"Distortion is measured up to {AUTO_DISTORTION_POINTS:,} points; choose fewer to see it.")
    for note in projection.notes:
        st.caption(f"Note: {note}.")
    if view.find.strip():
        if shown.highlight:
            st.caption(f"{shown.highlight} point(s) match {view.find.strip()!r}; the view zooms to them.")
        else:
            st.warning(f"No point in the picture matches {view.find.strip()!r}.")


def selected_rows(event) -> list[int]:
    """Rows chosen with box, lasso or click (customdata[0] is the row)."""
    selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None)
    if not selection:
        return []
    rows = []
    for point in selection.get("points", []):
        data = point.get("customdata")
        if isinstance(data, dict):  # plotly's typed arrays arrive as {"0": row}
            data = list(data.values())
        if isinstance(data, list) and data:
            rows.append(int(data[0]))
        elif isinstance(data, int | float):
            rows.append(int(data))
    return list(dict.fromkeys(rows))


def selection_panel(space: EmbeddingSpace, shown_space: EmbeddingSpace, rows: list[int]) -> None:
    """The selected words, each with its five nearest neighbours in the full space."""
    words = [shown_space.words[i] for i in rows if 0 <= i < len(shown_space)]
    st.markdown(f"**{len(words)} selected point(s)**")
    listed = words[:50]
    table = pd.DataFrame(
        {
            "word": listed,
            "nearest neighbours (full space)": [", ".join(nearest(space, w, k=5).words) for w in listed],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if len(words) > len(listed):
        st.caption(f"Neighbours listed for the first {len(listed)} of {len(words)}.")
    st.session_state["selected_words"] = words


def neighbours_for(space: EmbeddingSpace) -> tuple[Neighbours | None, str | None]:
    query = st.session_state.get("query", "").strip()
    if not query:
        return None, None
    try:
        found = nearest(space, query, k=int(st.session_state["k"]), metric=st.session_state["query_metric"])
    except InputError as exc:
        return None, str(exc)
    return found, None


def neighbours_panel(neighbours: Neighbours, shown_space: EmbeddingSpace) -> None:
    table = neighbours.table.copy()
    in_picture = sum(w in shown_space for w in table["word"])
    table["in the picture"] = ["yes" if w in shown_space else "" for w in table["word"]]
    if neighbours.metric == "cosine":
        column = st.column_config.ProgressColumn("similarity", min_value=0.0, max_value=1.0, format="%.3f")
    else:
        column = st.column_config.NumberColumn("distance", format="%.3f")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"similarity" if neighbours.metric == "cosine" else "distance": column},
    )
    notes = [f"{in_picture} of {len(table)} are among the projected points (red diamonds)."]
    if neighbours.excluded:
        notes.append(f"The query's own words ({', '.join(neighbours.excluded)}) are left out, as gensim does.")
    if neighbours.subword_words:
        notes.append(f"Built from subwords (not in the vocabulary): {', '.join(neighbours.subword_words)}.")
    st.caption(" ".join(notes))


# --- downloads --------------------------------------------------------------------------
def downloads(space: EmbeddingSpace, shown_space: EmbeddingSpace, projection: Projection, figure) -> None:
    which = st.radio(
        "Vectors to download",
        ["shown", "selected", "all"],
        format_func={
            "shown": f"the {len(shown_space):,} projected points",
            "selected": "the points selected in the picture",
            "all": f"the whole space ({len(space):,})",
        }.get,
        horizontal=True,
        key="download_scope",
    )
    chosen = {"shown": shown_space, "all": space}.get(which)
    if which == "selected":
        selected = [w for w in st.session_state.get("selected_words", []) if w in shown_space]
        chosen = shown_space.subset(words=selected) if selected else None
    files = [
        ("Coordinates (CSV)", lambda: coordinates_frame(shown_space, projection.coords).to_csv(index=False),
         f"{projection.method}_{projection.n_components}d.csv", "text/csv"),
        ("Figure (HTML)", lambda: figure.to_html(include_plotlyjs=True, full_html=True),
         f"{projection.method}_{projection.n_components}d.html", "text/html"),
    ]  # fmt: skip
    if chosen is not None:
        files += [
            ("word2vec text", lambda: to_word2vec_text(chosen), "vectors.txt", "text/plain"),
            ("Projector vectors.tsv", lambda: to_projector_tsv(chosen)[0], "vectors.tsv", "text/tab-separated-values"),
            (
                "Projector metadata.tsv",
                lambda: to_projector_tsv(chosen)[1],
                "metadata.tsv",
                "text/tab-separated-values",
            ),
        ]
    for col, (label, data, name, mime) in zip(st.columns(5), files, strict=False):
        col.download_button(label, data, file_name=name, mime=mime, on_click="ignore")
    if chosen is None:
        st.caption("To download the selected points' vectors, select points with the box or lasso first.")
