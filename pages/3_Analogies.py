"""Analogies: a is to b as c is to ?: test what vector arithmetic can and cannot do."""

from pages._ui.widgets import coming_soon

coming_soon(
    "Analogies",
    ":material/compare_arrows:",
    "a is to b as c is to ?: test what vector arithmetic can and cannot do.",
    [
        "3CosAdd, 3CosMul and PairDirection, with the rank of the answer you expect",
        "what happens when the question words are not excluded (often the answer is just c)",
        "the parallelogram drawn in 2D, odd-one-out and word-list similarity",
    ],
)
