"""Where a student is in a lesson: one small object the Lessons page keeps in session_state and
mirrors in the URL (``?lesson=near&step=3``), and that a teacher leading the class can drive."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Player:
    """The lesson's key, the current step (0-based) and the guesses committed so far (step -> option)."""

    lesson: str
    step: int = 0
    guesses: dict[int, str] = field(default_factory=dict)
    revealed: set[int] = field(default_factory=set)

    def go(self, step: int, steps: int) -> None:
        """Move to ``step``, kept inside the lesson's ``steps``."""
        self.step = max(0, min(int(step), steps - 1))

    def next(self, steps: int) -> None:
        self.go(self.step + 1, steps)

    def previous(self, steps: int) -> None:
        self.go(self.step - 1, steps)

    def commit_guess(self, option: str) -> None:
        self.guesses[self.step] = option
        self.revealed.add(self.step)

    def reveal(self) -> None:
        self.revealed.add(self.step)

    @property
    def url_step(self) -> str:
        """The step as the URL shows it (1-based, as "Step 3 of 9")."""
        return str(self.step + 1)
