"""Explore: See the space: project it to 2D or 3D and look at who lives near whom."""

from pages._ui.widgets import coming_soon

coming_soon(
    "Explore",
    ":material/scatter_plot:",
    "See the space: project it to 2D or 3D and look at who lives near whom.",
    [
        "UMAP, t-SNE and PCA projections in 2D and 3D, with hover, search and labels",
        "nearest neighbours of a word or of a formula such as king - man + woman",
        "k-means and HDBSCAN clusters labelled by their most central words",
        "how much a projection distorts: which neighbours survive the squeeze to 2D",
    ],
)
