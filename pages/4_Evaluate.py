"""Evaluate: Score a space on standard benchmarks, with the same numbers gensim reports, faster."""

from pages._ui.widgets import coming_soon

coming_soon(
    "Evaluate",
    ":material/leaderboard:",
    "Score a space on standard benchmarks, with the same numbers gensim reports, faster.",
    [
        "Google and MSR analogy sets, per section",
        "WordSim353, SimLex-999, MEN, RG-65, MTurk-771 and Rare Words correlations",
        "several spaces side by side; your own benchmark files",
    ],
)
