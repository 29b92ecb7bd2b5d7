"""Train: Train your own small embedding model on a corpus, right here in the browser."""

from pages._ui.widgets import coming_soon

coming_soon(
    "Train",
    ":material/model_training:",
    "Train your own small embedding model on a corpus, right here in the browser.",
    [
        "word2vec, fastText, doc2vec and a count-based PPMI + SVD model",
        "corpus statistics (Zipf plot) and visible preprocessing steps",
        "live progress and loss, epoch snapshots of the space forming, a reproducibility record",
    ],
)
