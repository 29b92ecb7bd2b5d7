"""Bias: Measure the associations a space learned from its text, carefully."""

from pages._ui.widgets import coming_soon

coming_soon(
    "Bias",
    ":material/balance:",
    "Measure the associations a space learned from its text, carefully.",
    [
        "bias directions from word pairs or word sets, and words projected on them",
        "WEAT with permutation tests next to the published results, RIPA and DirectBias",
        "hard debiasing, and the checks that show what it does not remove",
    ],
)
