"""A Streamlit browser session without a browser: the websocket protocol the frontend speaks.

The frontend opens ``ws://host:port/_stcore/stream`` (subprotocol ``streamlit``) and sends protobuf
``BackMsg``s; a ``rerun_script`` carries the client state (query string, page, widget values). The
server answers with ``ForwardMsg``s: ``new_session`` at the start of every full run, ``delta``s (the
elements, each at a ``delta_path``), ``auto_rerun`` for fragments with ``run_every`` (the frontend,
not the server, keeps their timers) and ``script_finished``. Like the frontend, this client sends
back the query string the page published, the page it is on, the widget values it set (a widget the
client never touched keeps its server-side value), and the hashes of the large messages it has
cached, so the server may answer with a reference instead of re-sending them.

XSRF: the server only checks the token (second subprotocol entry, against the ``_streamlit_xsrf``
cookie) before reading auth cookies; this app has no login, so no token is needed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
TERMINAL = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
CACHE_AGE = 2  # full runs a cached message survives unused, as in the frontend


class SessionError(Exception):
    """The session broke: the socket closed, a run timed out, or the script failed to compile."""


@dataclass
class Element:
    """One element of the page: its delta path, its kind (``text_input``, ``alert``...) and proto."""

    path: tuple[int, ...]
    kind: str
    proto: Any
    fragment_id: str = ""  # the fragment that drew it ("" for the page itself)

    @property
    def key(self) -> str | None:
        """The widget's user key, read from its id (``$$ID-<hash>-<key>``); None if not a keyed widget."""
        widget_id = getattr(self.proto, "id", "")
        if not widget_id.startswith("$$ID-"):
            return None
        key = widget_id.split("-", 2)[2]
        return None if key == "None" else key


@dataclass
class RunResult:
    """What one rerun produced: the page's elements, the time it took, and what went wrong."""

    seconds: float
    elements: list[Element]
    auto_reruns: dict[str, float]
    received_bytes: int
    full_run: bool
    errors: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    def widget(self, key: str) -> Element | None:
        return next((e for e in self.elements if e.key == key), None)

    def texts(self) -> list[str]:
        """Every piece of visible text: markdown, headings, alerts, metrics, progress bars."""
        out = []
        for element in self.elements:
            proto = element.proto
            if element.kind in ("markdown", "heading", "alert"):
                out.append(proto.body)
            elif element.kind == "metric":
                out.append(f"{proto.label}: {proto.body}")
            elif element.kind == "progress":
                out.append(proto.text)
        return out

    def alerts(self, fmt: int) -> list[str]:
        return [e.proto.body for e in self.of_kind("alert") if e.proto.format == fmt]

    def dataframes(self) -> list[Any]:
        """The ``st.dataframe`` tables of the page, decoded from Arrow (pandas DataFrames)."""
        frames = []
        for element in self.of_kind("dataframe"):
            data = element.proto.arrow_data.data
            if data:
                frames.append(pa.ipc.open_stream(data).read_pandas())
        return frames


def page_errors(elements: list[Element]) -> list[str]:
    """Exceptions and ``st.error`` boxes: neither may appear in the scenario."""
    found = [f"exception {e.proto.type}: {e.proto.message}" for e in elements if e.kind == "exception"]
    found += [f"error box: {e.proto.body}" for e in elements if e.kind == "alert" and e.proto.format == Alert.ERROR]
    return found


class Session:
    """One browser tab: a websocket, the page it shows, the widget values it set."""

    def __init__(self, base_url: str, *, timeout: float = 300.0) -> None:
        self.url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.session_id: str | None = None
        self.pages: dict[str, str] = {}  # page name -> page_script_hash
        self.page_hash = ""
        self.query_string = ""
        self._ws: Any = None
        self._values: dict[str, WidgetState] = {}  # user key -> value to send (id filled per run)
        self._triggers: set[str] = set()
        self._changed: set[str] = set()  # widgets set since the last run
        self._last: RunResult | None = None
        self._cache: dict[str, list] = {}  # hash -> [ForwardMsg, full runs since last use]

    async def connect(self) -> None:
        # No client pings and no compression, as a browser: the server pings (every 30 s) and has
        # websocket compression off by default.
        self._ws = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=60,
            ping_interval=None,
            compression=None,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    @property
    def last(self) -> RunResult | None:
        return self._last

    # --- widgets -----------------------------------------------------------------------
    def set(self, key: str, value: Any) -> None:
        """Set the widget with user key ``key`` (as seen in the last run) for the next reruns."""
        element = self._last.widget(key) if self._last else None
        if element is None:
            raise SessionError(f"no widget with key {key!r} on the page")
        state = WidgetState()
        kind = element.kind
        if kind in ("text_input", "text_area"):
            state.string_value = str(value)
        elif kind == "number_input":
            if element.proto.data_type == NumberInput.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif kind == "slider":
            state.double_array_value.data.append(float(value))
        elif kind == "checkbox":
            state.bool_value = bool(value)
        elif kind in ("radio", "selectbox"):
            state.string_value = self._option(element, str(value))
        else:
            raise SessionError(f"cannot set a {kind} widget ({key!r})")
        self._values[key] = state
        self._changed.add(key)

    @staticmethod
    def _option(element: Element, wanted: str) -> str:
        """The displayed option equal to ``wanted``, else the one that contains it (case-insensitive)."""
        options = list(element.proto.options)
        if wanted in options:
            return wanted
        matches = [o for o in options if wanted.lower() in o.lower()]
        if len(matches) != 1:
            raise SessionError(f"option {wanted!r} not found (or ambiguous) among {options}")
        return matches[0]

    def click(self, key: str) -> None:
        """Press the button with user key ``key`` at the next rerun (a one-shot trigger)."""
        if not self._last or self._last.widget(key) is None:
            raise SessionError(f"no button with key {key!r} on the page")
        self._triggers.add(key)

    def _widget_states(self) -> list[WidgetState]:
        states = []
        by_key = {e.key: e.proto.id for e in (self._last.elements if self._last else []) if e.key}
        for key, value in self._values.items():
            if key in by_key:
                state = WidgetState()
                state.CopyFrom(value)
                state.id = by_key[key]
                states.append(state)
        for key in self._triggers:
            if key in by_key:
                states.append(WidgetState(id=by_key[key], trigger_value=True))
        self._triggers.clear()
        return states

    # --- runs --------------------------------------------------------------------------
    async def open(self, page: str = "", query_string: str = "") -> RunResult:
        """Navigate to ``page`` (its name, "" for Home), as a click on the sidebar link does."""
        self.query_string = query_string
        self._values.clear()
        page_hash = self.pages.get(page, "")
        return await self._run(page_hash=page_hash, page_name="" if page_hash else page)

    async def rerun(self, *, fragment_id: str = "") -> RunResult:
        """Rerun the current page (or the fragment ``fragment_id``, polled by its timer) with the
        widget values set so far. As the frontend does, when every widget changed since the last
        run was drawn by one fragment, only that fragment reruns."""
        if fragment_id:
            return await self._run(page_hash=self.page_hash, fragment_id=fragment_id, auto=True)
        return await self._run(page_hash=self.page_hash, fragment_id=self._changed_fragment())

    def _changed_fragment(self) -> str:
        drawn_by = {e.key: e.fragment_id for e in (self._last.elements if self._last else []) if e.key}
        fragments = {drawn_by.get(key, "") for key in self._changed | self._triggers}
        return fragments.pop() if len(fragments) == 1 else ""

    async def _run(
        self, *, page_hash: str = "", page_name: str = "", fragment_id: str = "", auto: bool = False
    ) -> RunResult:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.widget_states.widgets.extend(self._widget_states())
        self._changed.clear()
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
        state.cached_message_hashes.extend(self._cache)
        start = time.perf_counter()
        try:
            await self._ws.send(message.SerializeToString())
            result = await asyncio.wait_for(self._receive(start, fragment=bool(fragment_id)), self.timeout)
        except TimeoutError as exc:
            raise SessionError(f"no script_finished within {self.timeout:.0f} s") from exc
        except websockets.ConnectionClosed as exc:
            raise SessionError(f"websocket closed: {exc}") from exc
        self._last = result
        return result

    async def _receive(self, start: float, *, fragment: bool) -> RunResult:
        elements: dict[tuple[int, ...], Element] = {}
        if fragment and self._last is not None:  # a fragment run updates the page it runs in
            elements = {e.path: e for e in self._last.elements}
        auto_reruns: dict[str, float] = {}
        received = 0
        full_run = False
        while True:
            raw = await self._ws.recv()
            received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                msg = self._from_cache(msg)
                kind = msg.WhichOneof("type")
            elif msg.metadata.cacheable:
                self._cache[msg.hash] = [msg, 0]
            if kind == "new_session":  # every run starts with one; a fragment run names its fragments
                if not msg.metadata.run.fragment_ids:
                    elements, auto_reruns, full_run = {}, {}, True
                session = msg.new_session
                if session.HasField("initialize"):
                    self.session_id = session.initialize.session_id
                self.page_hash = session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
                if msg.navigation.page_script_hash:
                    self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "auto_rerun":
                auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                element_kind = element.WhichOneof("type")
                path = tuple(msg.metadata.delta_path)
                elements[path] = Element(path, element_kind, getattr(element, element_kind), msg.delta.fragment_id)
            elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
                raise SessionError(f"script failed to compile: {msg.session_event.script_compilation_exception}")
            elif kind == "page_not_found":
                raise SessionError(f"page not found: {msg.page_not_found.page_name}")
            elif kind == "script_finished":
                if msg.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise SessionError("script finished with a compile error")
                if msg.script_finished in TERMINAL:
                    if full_run:
                        self._age_cache()  # after the run: the hashes we sent stay valid during it
                    ordered = [elements[p] for p in sorted(elements)]
                    result = RunResult(time.perf_counter() - start, ordered, auto_reruns, received, full_run)
                    result.errors = page_errors(ordered)
                    return result
                # FINISHED_EARLY_FOR_RERUN: st.rerun() or a newer request; the next run follows

    def _from_cache(self, ref: ForwardMsg) -> ForwardMsg:
        entry = self._cache.get(ref.ref_hash)
        if entry is None:
            raise SessionError(f"server referred to a message this client never cached ({ref.ref_hash})")
        entry[1] = 0
        msg = ForwardMsg()
        msg.CopyFrom(entry[0])
        msg.metadata.CopyFrom(ref.metadata)
        return msg

    def _age_cache(self) -> None:
        for key in list(self._cache):
            self._cache[key][1] += 1
            if self._cache[key][1] > CACHE_AGE:
                del self._cache[key]
