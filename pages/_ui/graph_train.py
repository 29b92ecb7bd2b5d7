"""Train's "Graph" section: a built-in graph or an edge list, DeepWalk or node2vec settings, the job
with progress and Cancel, then the numbers (link prediction AUC next to its baselines, ARI) and a
link to Explore. The work is app.graphs'; this only draws it."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import partial
from typing import Any

import streamlit as st

from app.graphs.builtin import BUILTIN_GRAPHS, builtin_graph
from app.graphs.edges import Graph, read_edge_list
from app.graphs.embed import METHODS, GraphConfig, GraphResult, embed_graph_job, graph_estimate, graph_fingerprint
from app.store.budgets import Budget, check_upload
from pages._ui.background import background_result
from pages._ui.errors import report_errors
from pages._ui.text import plain
from pages._ui.train import keep_space, kept, option_index, remembered
from pages._ui.widgets import facts_row


@st.cache_resource(max_entries=8, show_spinner=False)
def _builtin(key: str) -> Graph:
    return builtin_graph(key)


def graph_source() -> Graph | None:
    source = st.segmented_control(
        "Graph",
        ["builtin", "upload"],
        format_func=lambda s: "A built-in graph" if s == "builtin" else "My own edge list (upload)",
        default=remembered("graph_source", "builtin"),
        **kept("graph_source"),
    )
    with report_errors("read the graph"):
        if source == "upload":
            upload = st.file_uploader("Edge list (CSV/TSV: source, target, optional weight)", key="upload_edges")
            if upload is None:
                st.info("Choose a file above, or switch to a built-in graph.")
                return None
            check_upload(Budget.from_env(), upload.name, upload.size)
            return read_edge_list(upload.getvalue(), filename=upload.name)
        keys = list(BUILTIN_GRAPHS)
        key = st.radio(
            "Built-in graph",
            keys,
            format_func=lambda k: BUILTIN_GRAPHS[k].title,
            captions=[BUILTIN_GRAPHS[k].description for k in keys],
            index=option_index(keys, "graph_choice", keys[0]),
            **kept("graph_choice"),
        )
        return _builtin(key)
    return None


def _number(column: Any, label: str, key: str, *, low: float, high: float, default: float, **kwargs: Any) -> Any:
    """A number input that remembers the user's value for this session (see pages._ui.train)."""
    return column.number_input(label, low, high, remembered(key, default), **kwargs, **kept(key))


def graph_settings(graph: Graph) -> GraphConfig | None:
    cols = st.columns(4)
    methods = list(METHODS)
    method = cols[0].radio(
        "Walks", methods, index=option_index(methods, "graph_method", "deepwalk"), format_func=METHODS.get,
        horizontal=True, **kept("graph_method"),
    )  # fmt: skip
    p = _number(
        cols[1], "Return p", "graph_p", low=0.01, high=100.0, default=1.0, step=0.25, disabled=method != "node2vec",
        help="Low p: walks often step back to where they came from (they stay local).",
    )  # fmt: skip
    q = _number(
        cols[2], "In-out q", "graph_q", low=0.01, high=100.0, default=1.0, step=0.25, disabled=method != "node2vec",
        help="Low q: walks move outward (depth-first, communities); high q: they stay near (breadth-first, roles).",
    )  # fmt: skip
    dims = _number(cols[3], "Dimensions", "graph_dims", low=2, high=300, default=32, step=8)
    cols = st.columns(4)
    walks = _number(cols[0], "Walks per node", "graph_walks", low=1, high=100, default=10)
    length = _number(cols[1], "Walk length", "graph_length", low=2, high=500, default=40)
    window = _number(cols[2], "Window", "graph_window", low=1, high=50, default=5)
    epochs = _number(cols[3], "Epochs", "graph_epochs", low=1, high=100, default=5)
    seed = _number(st, "Seed", "graph_seed", low=0, high=2**31 - 1, default=1)
    config = GraphConfig(
        method=method or "deepwalk",
        p=float(p),
        q=float(q),
        walks_per_node=int(walks),
        walk_length=int(length),
        vector_size=int(dims),
        window=int(window),
        epochs=int(epochs),
        seed=int(seed),
    )
    with report_errors("use these settings"):
        config.validate(graph.n_nodes)
        return config
    return None


def graph_section() -> None:
    """The whole Graph flow on Train."""
    st.subheader("1. A graph")
    graph = graph_source()
    if graph is None:
        return
    facts_row(
        {"Nodes": f"{graph.n_nodes:,}", "Edges": f"{graph.n_edges:,}", "Weighted": "yes" if graph.weighted else "no"},
        graph.notes,
    )
    st.subheader("2. Walks and word2vec")
    config = graph_settings(graph)
    if config is None:
        return
    st.subheader("3. Training")
    key = ("graph", graph_fingerprint(graph), json.dumps(asdict(config), sort_keys=True))
    result = background_result(
        slot="graph",
        key=key,
        shared=graph.shared,
        label=plain(f"{config.display_name} on {graph.name}"),
        work=partial(embed_graph_job, graph, config),
        estimate=graph_estimate(graph, config),
        button_label="Train",
    )
    if result is not None:
        graph_result_view(result, keep_space(result.space, result.report))


def graph_result_view(result: GraphResult, name: str) -> None:
    st.success(f"Trained **{plain(name)}**: {len(result.space):,} nodes × {result.space.dim} dimensions.")
    st.page_link("pages/1_Explore.py", label="Open it in Explore", icon=":material/scatter_plot:")
    evaluation = result.evaluation
    auc = evaluation.get("link_auc")
    if auc:
        cols = st.columns(3)
        cols[0].metric("Link prediction AUC (cosine)", f"{auc['cosine']:.2f}")
        cols[1].metric("Common neighbours", f"{auc['common_neighbours']:.2f}")
        cols[2].metric("Adamic–Adar", f"{auc['adamic_adar']:.2f}")
        st.caption(
            f"{evaluation['held_out_edges']} edges were hidden, the model trained again without them, and each score "
            "ranked those edges against as many non-edges: AUC is the chance a hidden edge scores above a non-edge "
            "(0.5 is guessing, 1 is perfect); the two baselines only count shared neighbours."
        )
    if "ari" in evaluation:
        cols = st.columns(2)
        cols[0].metric(plain(f"Community recovery (ARI, k-means vs {evaluation['known']})"), f"{evaluation['ari']:.2f}")
        if "modularity_ari" in evaluation:
            cols[1].metric("networkx's modularity communities (ARI)", f"{evaluation['modularity_ari']:.2f}")
        st.caption(
            "The adjusted Rand index compares k-means groups of the vectors with the known split: 1 is the same "
            "split, 0 is no better than chance. Colour by it on Explore."
        )
    with st.expander("Reproducibility record"):
        st.json(result.report, expanded=False)
