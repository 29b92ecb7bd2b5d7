"""The Explore page's pieces: URL-bound settings, projection jobs with progress, the picture,
the neighbour and selection panels, and downloads. Computation stays in app/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app.errors import InputError
from app.figures.explore import (
    CLUSTER_CHOICES,
    ScatterOptions,
    axis_titles,
    colour_options,
    colouring_for,
    default_colour,
    point_names,
)
from app.figures.scatter_data import WebglPicture
from app.geometry.clusters import Clustering, cluster
from app.geometry.label_share import groupable_columns, label_share
from app.geometry.neighbours import Neighbours, nearest
from app.geometry.selection import FIND_MODES, MAX_POINTS, MODES, matching_rows
from app.io.export import coordinates_frame, to_projector_tsv, to_word2vec_text
from app.io.images import image_bytes, images_for
from app.projection.distortion import Distortion, distortion
from app.projection.methods import METHODS, Projection, project
from app.projection.placement import mark_words
from app.space import EmbeddingSpace
from app.text.inputs import MAX_FORMULA_CHARS, MAX_PATTERN_CHARS, MAX_WORD_CHARS
from pages._ui import cached, explore_plotly, url
from pages._ui.background import background_result
from pages._ui.explore_webgl import webgl_picture
from pages._ui.layout_preview import layout_preview
from pages._ui.text import plain

DISTORTION_K = 10
AUTO_DISTORTION_POINTS = 20_000
HTML_FIGURE_MAX_POINTS = 100_000  # the static Plotly download: what Explore drew with Plotly before WebGL
URL_KEYS = [
    "mode", "n", "sample_seed", "pattern", "words", "word", "k_around", "method", "dims", "metric",
    "perplexity", "n_neighbors", "min_dist", "seeded", "colour", "n_clusters", "labels", "find", "find_mode", "query",
    "k", "query_metric", "label_by",
]  # fmt: skip
NEIGHBOURS_MEMO = "explore_neighbours"  # (query key, answer) of the last neighbour query
SETTINGS = "explore_settings"  # the page's widget values, kept where Streamlit does not forget them

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


def keep_settings() -> None:
    """Widget values persist across reruns, background jobs and page switches.

    Streamlit forgets a widget's value at the end of every run that does not draw it (the picture's
    settings while a t-SNE or UMAP job runs, every setting on another page). A copy of each value
    lives under ``SETTINGS`` (not a widget key, so never forgotten) and is put back when lost.
    """
    kept = st.session_state.setdefault(SETTINGS, {})
    for key in URL_KEYS:
        if key in st.session_state:
            kept[key] = st.session_state[key]
        elif key in kept:
            st.session_state[key] = kept[key]


def _text(limit: int) -> Callable[[str], str]:
    """A URL cast for free text: longer than ``limit`` characters falls back to the default."""

    def cast(raw: str) -> str:
        if len(raw) > limit:
            raise ValueError(raw[:20])
        return raw

    return cast


def bind_url_defaults(space: EmbeddingSpace) -> None:
    """Initial widget values: kept from earlier runs, else from the URL, else sensible defaults."""
    keep_settings()
    url.bind("mode", "top", url.one_of(list(MODES)))
    url.bind("n", min(2_000, max(10, len(space))), url.between(int, 10, MAX_POINTS))
    url.bind("sample_seed", 0, url.between(int, 0, 10_000))
    url.bind("pattern", "", _text(MAX_PATTERN_CHARS))
    url.bind("words", "")
    url.bind("word", space.words[0], _text(MAX_WORD_CHARS))
    url.bind("k_around", 50, url.between(int, 5, 500))
    url.bind("method", "pca", url.one_of(list(METHODS)))
    url.bind("dims", 2, url.between(int, 2, 3))
    url.bind("metric", "cosine", url.one_of(["cosine", "euclidean"]))
    url.bind("perplexity", 30, url.between(int, 5, 100))
    url.bind("n_neighbors", 15, url.between(int, 2, 100))
    url.bind("min_dist", 0.1, url.between(float, 0.0, 1.0))
    url.bind("seeded", True, url.flag)
    url.bind("colour", "auto")
    url.bind("n_clusters", 8, url.between(int, 2, 30))
    url.bind("labels", 100, url.between(int, 0, 300))
    url.bind("find", "", _text(MAX_PATTERN_CHARS))
    url.bind("find_mode", "word", url.one_of(list(FIND_MODES)))
    url.bind("query", "", _text(MAX_FORMULA_CHARS))
    url.bind("k", 10, url.between(int, 1, 50))
    url.bind("query_metric", "cosine", url.one_of(["cosine", "euclidean"]))
    url.bind("label_by", "", url.one_of(label_columns(space)))


def label_columns(space: EmbeddingSpace) -> list[str]:
    """What can name the points: "" (the point's own name) or a metadata column."""
    return [""] + ([] if space.metadata is None else [str(c) for c in space.metadata.columns])


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
    reproducible: bool = True  # UMAP only: False draws a new random layout each run

    @classmethod
    def from_state(cls, space: EmbeddingSpace) -> ProjectionRequest:
        method = st.session_state["method"]
        names = {"tsne": ["perplexity"], "umap": ["n_neighbors", "min_dist"]}.get(method, [])
        params = tuple((name, st.session_state[name]) for name in names)
        reproducible = method != "umap" or bool(st.session_state.get("seeded", True))
        return cls(
            space, method, int(st.session_state["dims"]), st.session_state["metric"], params, reproducible=reproducible
        )

    @property
    def key(self) -> tuple:
        return (
            "projection",
            self.space.fingerprint,
            self.method,
            self.dims,
            self.metric,
            self.params,
            self.seed,
            self.reproducible,
        )

    @property
    def label(self) -> str:
        return f"{METHODS[self.method].label} {self.dims}D of {len(self.space):,} points"

    def job(self) -> partial:
        """The projection as a picklable call (it may run in a worker process)."""
        switches = {} if self.reproducible else {"reproducible": False}
        return partial(
            project,
            self.space,
            self.method,
            self.dims,
            seed=self.seed,
            metric=self.metric,
            **dict(self.params),
            **switches,
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
    estimate = spec.estimate(len(request.space), request.space.dim)
    return background_result(
        slot="projection",
        key=request.key,
        shared=request.space.shared,
        label=request.label,
        work=request.job(),
        estimate=estimate,
        records_itself=True,  # project() records its run's time in the job's process
        button_label=f"Run {spec.label}",
        preview=layout_preview(request),
    )


# --- the picture ------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    colour: str
    n_clusters: int
    labels: int
    find: str
    find_mode: str
    label_by: str = ""
    thumbnails: bool = True


@dataclass(frozen=True)
class Shown:
    """What the picture shows besides the projected points, for the sentences under it."""

    words: list[str]
    highlight: int
    added: tuple[str, ...]
    left_out: int
    labels: int
    distortion: Distortion | None
    clustering: Clustering | None


def view_controls(space: EmbeddingSpace) -> View:
    """Colour, clusters, labels and the find box; drawn on every run, picture or not, so their
    values are never forgotten while a projection runs."""
    options = colour_options(space)
    if st.session_state.get("colour") not in options:
        st.session_state["colour"] = default_colour(space)
    cols = st.columns([2, 1, 1, 2])
    colour = cols[0].selectbox("Colour by", list(options), format_func=options.get, key="colour")
    if colour == "kmeans":
        cols[1].slider("Clusters", 2, 30, key="n_clusters")
    cols[2].slider(
        "Word labels", 0, 300, step=10, key="labels", help="Labels on up to N of the first points, never overlapping"
    )
    with cols[3]:
        st.text_input(
            "Find words in the picture",
            key="find",
            max_chars=MAX_PATTERN_CHARS,
            placeholder="e.g. queen, king (or ^un as a regular expression)",
        )
        st.radio("Match", list(FIND_MODES), format_func=FIND_MODES.get, key="find_mode", horizontal=True)
    columns = label_columns(space)
    extra = st.columns([2, 2, 2])
    if len(columns) > 1:
        if st.session_state.get("label_by") not in columns:
            st.session_state["label_by"] = ""
        extra[0].selectbox(
            "Label by",
            columns,
            format_func=lambda c: "the point's name" if c == "" else f"metadata: {c}",
            key="label_by",
            help="Which metadata column names the points in the picture and in the hover text.",
        )
    if images_for(space.source, space.words[:1]) is not None:
        extra[1].toggle(
            "Thumbnails in the picture",
            value=True,
            key="thumbnails",
            help="Each point is an image: up to 300 of them are drawn as small pictures (2D only).",
        )
    state = st.session_state
    return View(
        colour,
        int(state["n_clusters"]),
        int(state["labels"]),
        state["find"],
        state["find_mode"],
        label_by=str(state.get("label_by", "")) if len(columns) > 1 else "",
        thumbnails=bool(state.get("thumbnails", True)),
    )


@dataclass(frozen=True)
class Picture:
    """The picture to draw: the WebGL parts for a big 2D picture, else the Plotly figure.
    ``figure()`` always gives the Plotly figure (for a WebGL picture it is built only when asked,
    by the HTML download)."""

    figure: Callable[[], go.Figure]
    webgl: WebglPicture | None = None


def figure_for(
    space: EmbeddingSpace,
    shown_space: EmbeddingSpace,
    projection: Projection,
    view: View,
    neighbours: Neighbours | None,
    *,
    webgl: bool = False,
) -> tuple[Picture, Shown]:
    """The picture and what it shows. Words the page talks about (the neighbours query, its own
    words, found words) are always in it: added and placed when they were not projected. With
    ``webgl`` (many points, 2D) the points go to the WebGL scatter as binary parts."""
    results = cached.results(shared=shown_space.shared)
    measured = None
    if len(shown_space) <= AUTO_DISTORTION_POINTS and len(shown_space) > DISTORTION_K:
        measured = results.get_or_compute(
            ("distortion", projection_key(shown_space, projection)),
            lambda: distortion(
                shown_space.vectors, projection.coords, DISTORTION_K, metric=projection.params["metric"]
            ),
        )
    clustering = None
    if view.colour in CLUSTER_CHOICES:
        try:
            clustering = results.get_or_compute(
                ("clusters", shown_space.fingerprint, view.colour, view.n_clusters),
                lambda: cluster(
                    shown_space, view.colour, k=min(view.n_clusters, len(shown_space)), min_cluster_size=10
                ),
            )
        except InputError as exc:
            st.warning(f"No clusters: {plain(exc)}")
    kept = measured.kept if measured is not None else None
    colouring = colouring_for(shown_space, view.colour, clustering=clustering, kept=kept)
    found: list[str] = []
    if view.find.strip():
        try:
            found = [space.words[i] for i in matching_rows(space, view.find, view.find_mode)]
        except InputError as exc:  # a refused search should not hide the picture
            st.warning(f"Could not find words: {plain(exc)}")
    groups = {
        "neighbours": neighbours.words if neighbours else [],
        "query": list(neighbours.excluded) if neighbours else [],
        "found": found,
    }
    marked = mark_words(space, shown_space, projection, groups)
    options = ScatterOptions(
        labels=view.labels,
        colouring=colouring,
        hover=shown_space.metadata,
        highlight=marked.rows["found"],
        highlight_name=f"matches for {view.find.strip()!r}" if found else "",
        neighbours=marked.rows["neighbours"],
        query_words=marked.rows["query"],
        placed=len(marked.added),
        axis_titles=axis_titles(projection),
    )
    pictures = images_for(space.source, marked.words)
    if pictures is not None and not view.thumbnails:
        pictures = [None] * len(marked.words)  # no thumbnails, no pictures in the hover either
    names = point_names(space, marked.words, view.label_by)

    base_key = (*projection_key(shown_space, projection), view.colour, view.n_clusters, view.label_by, view.thumbnails)

    def plotly_figure() -> go.Figure:
        return explore_plotly.plotly_figure(
            results, base_key, coords=marked.coords, names=names, options=options, images=pictures
        )

    if webgl:
        key = (*projection_key(shown_space, projection), marked.added, view.label_by)
        picture = webgl_picture(
            shown_space,
            key,
            coords=marked.coords,
            names=names,
            colouring=colouring,
            colour_key=(view.colour, view.n_clusters),
            placed=len(marked.added),
            rows=marked.rows,
            mark_names={"found": options.highlight_name, "query": "query words"},
            labels=view.labels,
        )
        labels = min(view.labels, len(marked.words) - len(marked.added))
        drawn = Picture(plotly_figure, picture)
    else:
        figure = plotly_figure()
        labels = sum(len(t.text) for t in figure.data if t.name == "labels")
        drawn = Picture(lambda: figure)
    shown = Shown(marked.words, len(marked.rows["found"]), marked.added, marked.left_out, labels, measured, clustering)
    return drawn, shown


def draw_picture(picture: Picture) -> list[int]:
    """Draw the picture; the rows chosen with box, lasso or click."""
    if picture.webgl is not None:
        from pages.components.scatter import webgl_scatter

        st.caption(
            f"{picture.webgl.n:,} points, drawn by your browser's graphics card (WebGL). Hover for a word; "
            "Box or Lasso selects; the faint areas are sparse, the solid ones dense."
        )
        return webgl_scatter(picture.webgl, key="explore_webgl")
    event = st.plotly_chart(
        picture.figure(),
        key="explore_chart",
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        config={"displaylogo": False, "scrollZoom": True},
    )
    return selected_rows(event)


def projection_key(space: EmbeddingSpace, projection: Projection) -> tuple:
    return (space.fingerprint, projection.method, projection.n_components, tuple(sorted(projection.params.items())))


def label_share_caption(space: EmbeddingSpace, view: View) -> None:
    """ "Neighbours share the <column>": measured in the full space for the column that colours the
    points (or the first grouping column), with the raw-pixel figure when the space records one."""
    columns = groupable_columns(space)
    column = view.colour[5:] if view.colour.startswith("meta:") and view.colour[5:] in columns else None
    if column is None:
        return
    share = cached.results(shared=space.shared).get_or_compute(
        ("label_share", space.fingerprint, column), lambda: label_share(space, column)
    )
    text = (
        f"**Neighbours share the {plain(column)}: {share.mean:.1%}**, the share of each point's {share.k} "
        f"nearest neighbours (full space) with the same {plain(column)}."
    )
    recorded = space.source.get("neighbours_share") or {}
    if recorded.get("column") == column and "raw pixels" in recorded:
        text += (
            f" In the raw pixels it is {recorded['raw pixels']['all']:.1%}; on the digits the network never saw, "
            f"{recorded['learned features']['held out']:.1%} here against {recorded['raw pixels']['held out']:.1%}."
        )
    st.markdown(text)


def describe(projection: Projection, view: View, shown: Shown, space: EmbeddingSpace | None = None) -> None:
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
    if space is not None:
        label_share_caption(space, view)
    if 0 < shown.labels < min(view.labels, len(shown.words)):
        st.caption(
            f"{shown.labels} of the first {min(view.labels, len(shown.words))} words are labelled; "
            "the others would cover them (zoom in, or hover over a point to read it)."
        )
    if shown.added:
        st.caption(
            f"Added to the picture though not among the chosen points: {plain(', '.join(shown.added))}. "
            + (
                "They are projected on the same axes."
                if projection.method == "pca"
                else "They are placed at the average position of their nearest projected points."
            )
            + (f" {shown.left_out} more are not drawn." if shown.left_out else "")
        )
    if view.find.strip():
        find = f"{plain(repr(view.find.strip()))} ({FIND_MODES[view.find_mode]})"
        if shown.highlight:
            st.caption(f"{shown.highlight} word(s) match {find}; the view zooms to them.")
        else:
            st.warning(f"No point in the picture matches {find}.")


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


def selection_panel(space: EmbeddingSpace, picture_words: list[str], rows: list[int]) -> None:
    """The selected words, each with its five nearest neighbours in the full space."""
    words = [picture_words[i] for i in rows if 0 <= i < len(picture_words)]
    st.markdown(f"**{len(words)} selected point(s)**")
    listed = words[:50]
    table = pd.DataFrame(
        {
            "word": listed,
            "nearest neighbours (full space)": [", ".join(nearest(space, w, k=5).words) for w in listed],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    pictures = images_for(space.source, listed[:24])
    if pictures is not None:
        shown = [(w, p) for w, p in zip(listed[:24], pictures, strict=True) if p]
        if shown:
            st.image([image_bytes(p) for _, p in shown], caption=[w for w, _ in shown], width=64)
    if len(words) > len(listed):
        st.caption(f"Neighbours listed for the first {len(listed)} of {len(words)}.")
    st.session_state["selected_words"] = words


def neighbours_for(space: EmbeddingSpace) -> tuple[Neighbours | None, str | None]:
    """The answer to the query in the widgets (or the reason there is none), looked up once per
    query: the picture's marks and the table below it both ask for it."""
    query = st.session_state.get("query", "").strip()
    if not query:
        return None, None
    key = (space.fingerprint, query, int(st.session_state["k"]), st.session_state["query_metric"])
    memo = st.session_state.get(NEIGHBOURS_MEMO)
    if memo is not None and memo[0] == key:
        return memo[1]
    try:
        answer: tuple[Neighbours | None, str | None] = (nearest(space, query, k=key[2], metric=key[3]), None)
    except InputError as exc:
        answer = (None, plain(exc))
    st.session_state[NEIGHBOURS_MEMO] = (key, answer)
    return answer


def neighbours_panel(neighbours: Neighbours, shown_space: EmbeddingSpace | None) -> None:
    """The answer to the query as a table; it never waits for a projection."""
    table = neighbours.table.copy()
    projected = [shown_space is not None and w in shown_space for w in table["word"]]
    in_picture = sum(projected)
    if shown_space is not None:
        table["in the picture"] = ["projected" if p else "added" for p in projected]
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
    notes = []
    if shown_space is not None:
        notes.append(
            f"{in_picture} of {len(table)} are among the projected points; all are marked in the picture "
            "(red diamonds), the others added near their nearest neighbours."
        )
    if neighbours.excluded:
        notes.append(f"The query's own words ({', '.join(neighbours.excluded)}) are left out, as gensim does.")
    if neighbours.subword_words:
        notes.append(f"Built from subwords (not in the vocabulary): {', '.join(neighbours.subword_words)}.")
    st.caption(plain(" ".join(notes)))


# --- downloads --------------------------------------------------------------------------
def downloads(
    space: EmbeddingSpace, shown_space: EmbeddingSpace, projection: Projection, figure: Callable[[], go.Figure]
) -> None:
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
    ]  # fmt: skip
    if len(shown_space) <= HTML_FIGURE_MAX_POINTS:
        files.append(("Figure (HTML)", lambda: figure().to_html(include_plotlyjs=True, full_html=True),
                      f"{projection.method}_{projection.n_components}d.html", "text/html"))  # fmt: skip
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
    if len(shown_space) > HTML_FIGURE_MAX_POINTS:
        st.caption(
            f"The picture as an HTML file is offered up to {HTML_FIGURE_MAX_POINTS:,} points (Plotly's file would be "
            "hundreds of megabytes); the coordinates file holds every point."
        )
