"""Time Explore's WebGL scatter in Chromium without Streamlit around it: a tiny HTTP server serves
the committed component bundle (pages/components/scatter/frontend/dist) in an iframe, the binary
parts by token (as /_lab/scatter does), and a host page that speaks Streamlit's component protocol
(it posts the same ```streamlit:render`` message with the same arguments the page sends).

Measured in the page, from navigation start: when the render message was posted (data sent),
when the component reported drawn plus one animation frame (first frame), then pan and zoom frame
times as a user makes them (a real mouse drag and wheel turns: the event reaches the component ->
regl's next ``draw`` event -> the frame after), the same with the camera set by script (``*_set_ms``:
no input events, so the component never sees the view move), and hover (mouse moved onto a
point -> the tooltip shown -> the frame after).
"""

from __future__ import annotations

import json
import secrets
import statistics
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from app.figures.scatter_data import WebglPicture

DIST = Path(__file__).resolve().parents[2] / "pages" / "components" / "scatter" / "frontend" / "dist"
SWIFTSHADER_COMPOSITING = [  # WebGL AND the page's compositing on SwiftShader: no real browser runs so
    "--no-sandbox",
    "--use-angle=swiftshader",  # no GPU here: SwiftShader, Chromium's software GL
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What Chromium does on a machine without a usable GPU: WebGL on SwiftShader, the page composited in
# software (as the Plotly reference in bench/render_100k.py runs). Compositing the page on SwiftShader
# too costs about 250 ms per changed frame whatever is drawn (bench/webgl/profile_frames.py).
SOFTWARE_GL = [*SWIFTSHADER_COMPOSITING, "--disable-gpu"]
HOST = """<!doctype html><html><body style="margin:0">
<iframe id="frame" src="/component/index.html" style="width:1200px;height:760px;border:0"></iframe>
<script>
const args = ARGS;
window.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'streamlit:componentReady') {
    window.sentAt = performance.now();
    document.getElementById('frame').contentWindow.postMessage({type: 'streamlit:render', args}, '*');
  }
});
</script></body></html>"""

DRAWN = """() => { const f = document.getElementById('frame').contentDocument;
    return f && f.getElementById('root') && f.getElementById('root').dataset.state === 'drawn'; }"""
FIRST_FRAME = """() => new Promise(r => { const w = document.getElementById('frame').contentWindow;
    w.requestAnimationFrame(() => r({sent: window.sentAt, frame: performance.now(),
    renderer: (() => { const gl = w.document.createElement('canvas').getContext('webgl');
      const i = gl && gl.getExtension('WEBGL_debug_renderer_info');
      return gl ? gl.getParameter(i ? i.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : null; })() })); })"""
CAMERA = """async ([kind, repeat]) => { const w = document.getElementById('frame').contentWindow, s = w.__scatter;
    const times = [];
    for (let i = 0; i < repeat; i++) {
      const drawn = new Promise(r => s.subscribe('draw', r, 1));
      const start = performance.now();
      if (kind === 'pan') s.set({cameraTarget: [0.2 * Math.sin(i), 0.2 * Math.cos(i)]});
      else s.set({cameraDistance: i % 2 ? 1.0 : 0.35});
      await drawn;
      await new Promise(r => w.requestAnimationFrame(() => r()));
      times.push(performance.now() - start);
    }
    s.set({cameraTarget: [0, 0], cameraDistance: 1});
    return times; }"""
# Input-driven frames, as a user pans and zooms: each step is one real mouse move (button held) or
# wheel turn, timed from the event's arrival in the component to the frame after the next draw.
ARM_STEPS = """() => { const w = document.getElementById('frame').contentWindow, s = w.__scatter;
    window.step = {start: null, end: null};
    const begin = () => { if (window.step.start === null) window.step.start = performance.now(); };
    w.addEventListener('mousemove', begin, true); w.addEventListener('wheel', begin, true);
    s.subscribe('draw', () => { const step = window.step; if (step.start === null || step.end !== null) return;
      w.requestAnimationFrame(() => { step.end = performance.now(); }); });
    return true; }"""
NEXT_STEP = "() => { window.step = {start: null, end: null}; }"
STEP_DONE = "() => window.step.end !== null"
STEP_MS = "() => window.step.end - window.step.start"
ARM_HOVER = """() => { const w = document.getElementById('frame').contentWindow, s = w.__scatter;
    window.hover = {}; w.addEventListener('mousemove', () => { window.hover.moved = performance.now(); }, true);
    s.subscribe('pointOver', () => { window.hover.over = performance.now(); });
    const out = [];
    for (let i = 0; i < 400; i += 37) { const [x, y] = s.getScreenPosition(i); out.push([x, y]); }
    return out; }"""
DRAWN_COUNT = """() => { const d = document.getElementById('frame').contentDocument;
    return d.getElementById('status').textContent + ' | ' + JSON.stringify(d.getElementById('root').dataset); }"""
HOVER_DONE = """() => new Promise(r => { const w = document.getElementById('frame').contentWindow;
    const check = () => { const t = w.document.getElementById('tooltip');
      if (!t.hidden) w.requestAnimationFrame(() => r(performance.now() - window.hover.moved));
      else setTimeout(check, 1); }; check(); })"""
PAINTED = """() => { const w = document.getElementById('frame').contentWindow;
    return w.document.getElementById('points').getBoundingClientRect().toJSON(); }"""


class PictureServer:
    """Serves the host page, the bundle and one picture's parts (token in a header, as the app)."""

    def __init__(self, picture: WebglPicture) -> None:
        self.tokens = {secrets.token_urlsafe(16): part.data for part in picture.parts.values()}
        by_hash = {part.hash: token for token, part in zip(self.tokens, picture.parts.values(), strict=True)}
        args = picture.description() | {
            "parts": {
                name: {"token": by_hash[part.hash], "hash": part.hash, "bytes": len(part.data)}
                for name, part in picture.parts.items()
            },
            "endpoint": "/_lab/scatter",
            "height": 640,
        }
        self.host = HOST.replace("ARGS", json.dumps(args)).encode()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/":
                    self._send(owner.host, "text/html")
                elif self.path == "/_lab/scatter":
                    data = owner.tokens.get(self.headers.get("X-Picture-Token", ""))
                    self._send(data, "application/octet-stream") if data is not None else self.send_error(404)
                elif self.path.startswith("/component/"):
                    name = self.path.split("?")[0].removeprefix("/component/")
                    file = DIST / name
                    if file.parent == DIST and file.exists():
                        kind = "text/html" if name.endswith(".html") else "text/javascript"
                        self._send(file.read_bytes(), kind)
                    else:
                        self.send_error(404)
                else:
                    self.send_error(404)

            def _send(self, data: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def close(self) -> None:
        self.server.shutdown()


def measure(browser, picture: WebglPicture, *, repeat: int, timeout_s: float) -> dict:
    """Draw ``picture`` once in a fresh page and time it; see the module docstring."""
    server = PictureServer(picture)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    result: dict = {"messages": messages}
    try:
        page.goto(server.url, wait_until="commit")
        page.wait_for_function(DRAWN, timeout=timeout_s * 1000, polling=20)
        first = page.evaluate(FIRST_FRAME)
        result |= {"sent_ms": first["sent"], "frame_ms": first["frame"], "renderer": first["renderer"]}
        result["drawn_ms"] = first["frame"] - first["sent"]
        pans = page.evaluate(CAMERA, ["pan", 2 * repeat])
        zooms = page.evaluate(CAMERA, ["zoom", 2 * repeat])
        result["pan_ms"], result["zoom_ms"] = statistics.median(pans), statistics.median(zooms)
        result["pan_max_ms"], result["zoom_max_ms"] = max(pans), max(zooms)
        result["pan_set_ms"], result["zoom_set_ms"] = result["pan_ms"], result["zoom_ms"]
        frame_box = page.locator("#frame").bounding_box()
        stage = page.frame_locator("#frame").locator("#stage").bounding_box()
        drags, wheels = input_frames(page, stage, 2 * repeat)
        result["pan_ms"], result["zoom_ms"] = statistics.median(drags), statistics.median(wheels)
        result["pan_max_ms"], result["zoom_max_ms"] = max(drags), max(wheels)
        page.wait_for_timeout(600)  # the view settles
        spots = page.evaluate(ARM_HOVER)
        hovers = []
        for x, y in spots[:repeat]:
            page.mouse.move(frame_box["x"] + 5, frame_box["y"] + 5)  # away first
            page.wait_for_timeout(100)
            page.evaluate("() => { window.hover = {}; }")
            page.mouse.move(stage["x"] + x, stage["y"] + y)
            hovers.append(page.evaluate(HOVER_DONE))
        result["hover_ms"] = statistics.median(hovers)
        result["painted"] = painted_share(page.screenshot(clip=stage))
        result["stage"] = stage
        result["status"] = page.evaluate(DRAWN_COUNT)
        result["screenshot"] = page.screenshot()
    except Exception as error:  # a Playwright TimeoutError, usually
        result["error"] = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        page.close()
        server.close()
    return result


def input_frames(page, stage: dict, steps: int) -> tuple[list[float], list[float]]:
    """Frame times of a drag (``steps`` mouse moves of 12 px, button held) and of ``steps`` wheel
    turns (in, then out), each timed in the page (ARM_STEPS)."""
    page.evaluate(ARM_STEPS)
    cx, cy = stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2

    def timed(action) -> float:
        page.evaluate(NEXT_STEP)
        action()
        page.wait_for_function(STEP_DONE, polling=5, timeout=60_000)
        return page.evaluate(STEP_MS)

    page.mouse.move(cx, cy)
    page.mouse.down()
    drags = [timed(lambda i=i: page.mouse.move(cx + 12 * (i + 1), cy + 6 * (i + 1))) for i in range(steps)]
    page.mouse.up()
    page.wait_for_timeout(600)
    wheels = [timed(lambda i=i: page.mouse.wheel(0, -120 if i < steps // 2 else 120)) for i in range(steps)]
    return drags, wheels


def painted_share(png: bytes) -> float:
    """Share of the picture's pixels that are coloured (the points, however faint; the background is
    white and grey text has no colour)."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return float((pixels.max(axis=2) - pixels.min(axis=2) > 12).mean())
