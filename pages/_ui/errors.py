"""Errors on a page: an InputError as a plain message, anything else as one short line (logged)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from app.errors import InputError
from pages._ui.text import plain

log = logging.getLogger("embedding_lab")


@contextmanager
def report_errors(what: str) -> Iterator[None]:
    """Show an InputError as a plain message; anything else as a short error, logged in full.
    The message is escaped: it often names the user's own file, word or formula."""
    try:
        yield
    except InputError as exc:
        st.error(plain(f"Could not {what}: {exc}"))
    except Exception as exc:  # a bug of ours: the user sees one line, the log the traceback
        log.exception("unexpected failure while trying to %s", what)
        st.error(plain(f"Could not {what} because of an unexpected problem ({type(exc).__name__}: {exc})."))
