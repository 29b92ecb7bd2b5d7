"""Where a pan frame's time goes in Explore's WebGL scatter (Chromium, software GL).

Times the component's pan frames as bench/render_1m.py does, with the browser's drawing calls
wrapped by timers (an init script in the component's frame): the copy of the WebGL picture to the
visible canvas (``drawImage``), the WebGL draw calls, the 2D overlay's text, each animation-frame
callback and each timer callback (the library's events run in timers: our view handlers, the
level-of-detail, the density count). Optionally a JS CPU profile (CDP ``Profiler``) lists the
functions that cost most; build the bundle without ``--minify`` to read their names.

    .venv/bin/python bench/webgl/profile_frames.py [--points 20000 150000 1000000] [--cpu]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from render_1m import million, picture_of  # noqa: E402
from render_100k import CHROMIUM  # noqa: E402

from webgl.harness import CAMERA, DRAWN, SOFTWARE_GL, PictureServer  # noqa: E402

TIMERS = """(() => {
  if (window === window.top) return;
  const p = window.__prof = {};
  const add = (key, ms) => { const e = p[key] || (p[key] = [0, 0]); e[0] += ms; e[1] += 1; };
  const wrap = (proto, name, key) => { const f = proto[name]; proto[name] = function (...a) {
    const t = performance.now(); try { return f.apply(this, a); } finally { add(key, performance.now() - t); } }; };
  wrap(CanvasRenderingContext2D.prototype, 'drawImage', 'copy (drawImage)');
  wrap(CanvasRenderingContext2D.prototype, 'fillText', 'overlay text');
  wrap(CanvasRenderingContext2D.prototype, 'measureText', 'overlay text');
  for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
    wrap(proto, 'drawArrays', 'gl draw calls');
    wrap(proto, 'drawElements', 'gl draw calls');
    wrap(proto, 'clear', 'gl clear');
    wrap(proto, 'readPixels', 'gl readPixels');
  }
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((t) => { const s = performance.now();
    try { cb(t); } finally { add('animation frame callbacks', performance.now() - s); } });
  const st = window.setTimeout.bind(window);
  window.setTimeout = (cb, ms, ...rest) => st((...a) => { const s = performance.now();
    try { typeof cb === 'function' ? cb(...a) : 0; } finally { add('timer callbacks', performance.now() - s); } },
    ms, ...rest);
  window.__resetProf = () => { for (const k of Object.keys(p)) delete p[k]; };
})();"""

SPLIT = """async (repeat) => { const w = document.getElementById('frame').contentWindow, s = w.__scatter;
  const gl = s.get('regl')._gl, out = [];
  for (let i = 0; i < repeat; i++) {
    const drawn = new Promise(r => s.subscribe('draw', r, 1));
    const start = performance.now();
    s.set({cameraTarget: [0.1 * Math.sin(i + 9), 0.1 * Math.cos(i + 9)]});
    await drawn; const event = performance.now();
    gl.finish(); const finished = performance.now();
    await new Promise(r => w.requestAnimationFrame(() => r()));
    const next = performance.now();
    await new Promise(r => w.requestAnimationFrame(() => r()));
    out.push([event - start, finished - event, next - finished, performance.now() - next]);
  }
  return out; }"""
IDLE = """() => new Promise(r => { const w = document.getElementById('frame').contentWindow;
  const t = []; let last = performance.now();
  const tick = () => { const now = performance.now(); t.push(now - last); last = now;
    if (t.length < 10) w.requestAnimationFrame(tick); else r(t); }; w.requestAnimationFrame(tick); })"""
FRAME = "document.getElementById('frame').contentWindow"
READ = f"() => JSON.parse(JSON.stringify({FRAME}.__prof))"
RESET = "() => document.getElementById('frame').contentWindow.__resetProf()"
SETTINGS = """() => { const w = document.getElementById('frame').contentWindow, s = w.__scatter;
  const c = w.document.getElementById('points');
  return {dpr: w.devicePixelRatio, visible: [c.width, c.height], opacityBy: s.get('opacityBy'),
          renderer: [s.get('regl')._gl.canvas.width, s.get('regl')._gl.canvas.height],
          status: w.document.getElementById('status').textContent}; }"""


def profile(browser, points: int, *, repeat: int, cpu: bool, variant: str, scale: float = 1.0) -> None:
    picture = picture_of(*million(points))[0]
    server = PictureServer(picture)
    page = browser.new_page(viewport={"width": 1300, "height": 900}, device_scale_factor=scale)
    page.add_init_script(TIMERS)
    try:
        page.goto(server.url, wait_until="commit")
        page.wait_for_function(DRAWN, timeout=120_000, polling=50)
        page.wait_for_timeout(1500)
        if variant == "no-overlay":
            page.evaluate("""() => { const w = document.getElementById('frame').contentWindow;
              for (const n of ['fillText', 'measureText', 'fillRect', 'clearRect', 'arc', 'stroke', 'fill'])
                w.CanvasRenderingContext2D.prototype[n] = () => ({width: 0});
              w.document.getElementById('marks').style.display = 'none'; }""")
        if variant == "size-1":
            page.evaluate(f"() => {FRAME}.__scatter.set({{pointSize: 1}})")
        if variant == "no-density":
            page.evaluate(f"() => {FRAME}.__scatter.set({{opacityBy: null, opacity: 0.5}})")
            page.wait_for_timeout(500)
        print(f"--- {points:,} points, {variant}: {page.evaluate(SETTINGS)}")
        session = page.context.new_cdp_session(page) if cpu else None
        if session:
            session.send("Profiler.enable")
            session.send("Profiler.start")
        page.evaluate(RESET)
        pans = page.evaluate(CAMERA, ["pan", 2 * repeat])
        page.wait_for_timeout(400)  # the level-of-detail settles after 200 ms
        counters = page.evaluate(READ)
        split = page.evaluate(SPLIT, 2 * repeat)
        names = ["set->draw event", "gl.finish", "->next rAF", "->2nd rAF"]
        medians = (f"{name} {statistics.median(x[i] for x in split):.0f}" for i, name in enumerate(names))
        print("  split (median ms): " + ", ".join(medians))
        idle = page.evaluate(IDLE)
        print(f"idle animation frames (nothing changes): median {statistics.median(idle):.0f} ms")
        print(f"pan frames: median {statistics.median(pans):.0f} ms, all {[round(t) for t in pans]}")
        frames = 2 * repeat + 1
        for key, (ms, calls) in sorted(counters.items(), key=lambda kv: -kv[1][0]):
            print(f"  {key:28s} {ms / frames:8.1f} ms a frame ({calls} calls in {frames} frames)")
        if session:
            report_cpu(session.send("Profiler.stop")["profile"])
    finally:
        page.close()
        server.close()


def report_cpu(profile: dict) -> None:
    """The functions with the most self time (samples), with their script position."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    self_ms: Counter[str] = Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]["callFrame"]
        where = f"{frame['functionName'] or '(anon)'} {Path(frame['url']).name}:{frame['lineNumber']}"
        self_ms[where] += delta / 1000
    for where, ms in self_ms.most_common(15):
        print(f"    cpu {ms:8.1f} ms  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[20_000, 150_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--cpu", action="store_true", help="also record a JS CPU profile")
    parser.add_argument("--variant", default="as-is", choices=["as-is", "no-density", "no-overlay", "size-1"])
    parser.add_argument("--extra", nargs="*", default=[], help="more Chromium flags, e.g. --disable-gpu")
    parser.add_argument("--scale", type=float, default=1.0, help="devicePixelRatio")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        flags = [*SOFTWARE_GL, *args.extra]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        for points in args.points:
            profile(browser, points, repeat=args.repeat, cpu=args.cpu, variant=args.variant, scale=args.scale)
        browser.close()


if __name__ == "__main__":
    main()
