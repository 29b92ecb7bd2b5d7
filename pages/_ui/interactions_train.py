"""Train's "Users and items" section: an interactions CSV or Davis's southern women, SVD or ALS,
the job with progress and Cancel, recall@10 next to most-popular, and a link to Explore."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import partial

import streamlit as st

from app.interactions.factorise import (
    METHODS,
    NORMALISATIONS,
    FactorConfig,
    FactorResult,
    als_available,
    factorise_estimate,
    factorise_job,
)
from app.interactions.table import Interactions, davis_interactions, read_interactions
from app.store.budgets import Budget, check_upload
from pages._ui.background import background_result
from pages._ui.errors import report_errors
from pages._ui.text import plain
from pages._ui.train import keep_space, kept, option_index, remembered
from pages._ui.widgets import facts_row


@st.cache_resource(show_spinner=False)
def _davis() -> Interactions:
    return davis_interactions()


def interactions_section() -> None:
    st.subheader("1. Interactions")
    source = st.segmented_control(
        "Interactions",
        ["builtin", "upload"],
        format_func=lambda s: "Davis's southern women × events" if s == "builtin" else "My own CSV (upload)",
        default=remembered("inter_source", "builtin"),
        **kept("inter_source"),
    )
    data = None
    with report_errors("read the interactions"):
        if source == "upload":
            upload = st.file_uploader("CSV/TSV: user, item, optional rating or count", key="upload_interactions")
            if upload is None:
                st.info("Choose a file above, or switch to the built-in table.")
                return
            check_upload(Budget.from_env(), upload.name, upload.size)
            data = read_interactions(upload.getvalue(), filename=upload.name)
        else:
            data = _davis()
    if data is None:
        return
    facts_row(
        {"Users": f"{len(data.users):,}", "Items": f"{len(data.items):,}", "Interactions": f"{data.matrix.nnz:,}"},
        data.notes,
    )
    st.subheader("2. Factorisation")
    methods = [m for m in METHODS if m != "als" or als_available()]
    cols = st.columns(3)
    method = cols[0].radio(
        "Method", methods, index=option_index(methods, "inter_method", methods[0]), format_func=METHODS.get,
        horizontal=True, **kept("inter_method"),
    )  # fmt: skip
    normalisations = list(NORMALISATIONS)
    normalise = cols[1].selectbox(
        "Normalise", normalisations, index=option_index(normalisations, "inter_norm", normalisations[0]),
        format_func=NORMALISATIONS.get, **kept("inter_norm"),
    )  # fmt: skip
    factors = cols[2].number_input(
        "Factors (dimensions)", 1, 300, remembered("inter_k", min(8, min(data.matrix.shape) - 1)), **kept("inter_k")
    )
    config = FactorConfig(method=method or "svd", factors=int(factors), normalise=normalise)
    with report_errors("use these settings"):
        config.validate(data)
        st.subheader("3. Training")
        names = "\n".join(data.users + data.items).encode()
        digest = hashlib.blake2b(data.matrix.data.tobytes() + names, digest_size=16)
        key = ("interactions", digest.hexdigest(), json.dumps(asdict(config), sort_keys=True))
        result = background_result(
            slot="interactions",
            key=key,
            shared=data.shared,
            label=plain(f"{METHODS[config.method]} on {data.name}"),
            work=partial(factorise_job, data, config),
            estimate=factorise_estimate(data, config),
            button_label="Train",
        )
        if result is not None:
            result_view(result, keep_space(result.space, result.report))


def result_view(result: FactorResult, name: str) -> None:
    st.success(
        f"Trained **{plain(name)}**: users and items together, {len(result.space):,} points × {result.space.dim}."
    )
    st.page_link("pages/1_Explore.py", label="Open it in Explore", icon=":material/scatter_plot:")
    evaluation = result.evaluation
    if evaluation:
        cols = st.columns(2)
        cols[0].metric("Recall@10", f"{evaluation['recall_at_10']:.2f}")
        cols[1].metric("Most popular (baseline)", f"{evaluation['most_popular_recall_at_10']:.2f}")
        st.caption(
            f"{evaluation['held_out']} interactions were hidden and the model refitted without them; recall@10 is "
            "the share of each user's hidden items found in their top 10 recommendations (with only a few items, "
            "10 covers most of them and both scores come out high)."
        )
    st.caption("On Explore, colour by kind: a user's nearest items are its recommendations.")
    with st.expander("Reproducibility record"):
        st.json(result.report, expanded=False)
