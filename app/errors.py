"""What can stop a computation: bad input, a cancel, and the progress callback that carries both.

One definition each, imported by every concern (loaders, projections, training, jobs, pages).
"""

from __future__ import annotations

from collections.abc import Callable


class InputError(ValueError):
    """Bad user input: the message says what is wrong and where (file, line, word).

    It is a ValueError, so notebook code that catches ValueError keeps working.
    Pages show the message with ``st.error``; nothing else escapes the loaders.
    """


class Cancelled(Exception):
    """Raised from a progress callback to stop a running computation (a projection, training, a benchmark)."""


Progress = Callable[[float, str], None]
"""Called with (fraction done 0..1, what is happening); it may raise Cancelled to stop the run."""
