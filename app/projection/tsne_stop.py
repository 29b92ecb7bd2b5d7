"""When t-SNE's main phase may stop early: once its KL divergence has stopped improving.

openTSNE runs a fixed 500 main iterations. On a large selection most of the late ones only spread
the clusters further apart (the picture's span keeps growing, and with it the FFT grid and the cost
of each iteration) while the neighbourhoods no longer change: on 20,000 GloVe words the
trustworthiness is flat from about 150 main iterations on, and the last 200 iterations take more
than half of the run's time. We evaluate the objective every ``CHECK_EVERY`` main iterations and stop
when it improved by less than ``TOLERANCE`` (relative) since the previous check. The rule depends only
on the layout, never on the clock, so the same seed gives the same picture, previews or not.
Small selections (under ``FROM_POINTS``) take a few seconds and keep openTSNE's full schedule.
"""

from __future__ import annotations

CHECK_EVERY = 50  # main-phase iterations between two evaluations of the KL divergence
TOLERANCE = 0.015  # stop when the KL divergence improved by less than 1.5% over the last CHECK_EVERY
FROM_POINTS = 5_000


def has_converged(previous: float, current: float, *, tolerance: float = TOLERANCE) -> bool:
    """True when the KL divergence went from ``previous`` to ``current`` improving by less than ``tolerance``."""
    return previous - current < tolerance * abs(previous)


class StopRule:
    """Watches the main phase's KL divergence at every ``check_every``-th iteration; says when to stop.

    ``active=False`` (a small selection) never stops and never asks for the divergence.
    """

    def __init__(self, *, active: bool, check_every: int = CHECK_EVERY, tolerance: float | None = None) -> None:
        self.active = active
        self.check_every = check_every
        self.tolerance = TOLERANCE if tolerance is None else tolerance
        self.divergences: list[float] = []

    def checks_at(self, main_iteration: int) -> bool:
        """Whether the rule needs the KL divergence after this many main-phase iterations."""
        return self.active and main_iteration > 0 and main_iteration % self.check_every == 0

    def should_stop(self, divergence: float) -> bool:
        """Record the divergence measured at a check; True when it has stopped improving."""
        previous = self.divergences[-1] if self.divergences else None
        self.divergences.append(divergence)
        return previous is not None and has_converged(previous, divergence, tolerance=self.tolerance)

    def note(self, iterations: int, total: int) -> str:
        """The sentence a picture that stopped early carries."""
        return (
            f"t-SNE stopped after {iterations} of {total} iterations: the layout had converged (its KL divergence "
            f"improved by less than {self.tolerance:.1%} over the last {self.check_every} iterations)"
        )
