"""What can stop a computation: bad input, a cancel, and the progress callback that carries both.

One definition each, imported by every concern (loaders, projections, training, jobs, pages).
"""

from __future__ import annotations

from typing import Any, Protocol


class InputError(ValueError):
    """Bad user input: the message says what is wrong and where (file, line, word).

    It is a ValueError, so notebook code that catches ValueError keeps working.
    Pages show the message with ``st.error``; nothing else escapes the loaders.
    """


class Cancelled(Exception):
    """Raised from a progress callback to stop a running computation (a projection, training, a benchmark)."""


class Progress(Protocol):
    """Called with (fraction done 0..1, what is happening); it may raise Cancelled to stop the run.

    ``detail`` carries optional extras by name: ``layout=`` an intermediate picture of a t-SNE or
    UMAP run (float32, points x components, the input's row order), at most about once a second.
    A callback that does not use them still accepts them (``**_``).
    """

    def __call__(self, fraction: float, message: str, /, **detail: Any) -> None: ...
