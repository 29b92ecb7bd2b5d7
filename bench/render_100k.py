"""Render 100,000 GloVe words in a real browser: our Scattergl figure vs the same points as SVG Scatter.

Since issue 15 Explore draws 2D pictures of more than 20,000 points with its WebGL scatter
(bench/render_1m.py times it, against this Scattergl figure); Plotly still draws the smaller
pictures, every 3D picture and the HTML download, which this script keeps timing.

The figure is what the app draws (scatter_figure on PCA coordinates, 8 colour groups, 100 labels),
written as standalone HTML and opened in Debian's Chromium through Playwright. Measured for each:
ms from navigation start until plotly has drawn (the plot div has _fullLayout, then two animation
frames); the share of marker-coloured pixels in a screenshot (were the points painted?); the
median ms of a zoom (Plotly.relayout of the axis ranges, awaited) and of a hover over --repeat
runs. The hover is Plotly.Fx.hover at a point's x, y, so plotly searches for the closest point as
for the mouse (the {curveNumber, pointNumber} form shows no label for Scattergl). The reference
is the same figure with every Scattergl trace turned into an SVG go.Scatter. With --disable-gpu,
WebGL can only be software (SwiftShader) or absent, so the renderer and WebGL console messages
are printed.

    .venv/bin/python bench/render_100k.py [--points 100000] [--repeat 5] [--svg-timeout 300]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result  # noqa: E402

from app.figures.explore import Colouring, ScatterOptions, scatter_figure  # noqa: E402
from app.io.samples import load_glove  # noqa: E402
from app.projection.methods import project  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DRAWN = """() => { const gd = document.querySelector('.js-plotly-plot');
    return !!(gd && gd._fullLayout && gd._fullData && gd._fullData.length); }"""
AFTER_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
WEBGL = """() => { const gd = document.querySelector('.js-plotly-plot'), fl = gd._fullLayout;
    const canvas = gd.querySelector('canvas.gl-canvas-context');
    const gl = canvas && (canvas.getContext('webgl') || canvas.getContext('experimental-webgl'));
    const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
    return {regl: !!(fl._glcanvas && fl._glcanvas.data()[0] && fl._glcanvas.data()[0].regl),
            renderer: gl ? gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : null,
            canvases: gd.querySelectorAll('canvas').length,
            svgPoints: gd.querySelectorAll('.scatterlayer .point').length};
}"""
ZOOM = """async (ranges) => { const gd = document.querySelector('.js-plotly-plot'), start = performance.now();
    await Plotly.relayout(gd, {'xaxis.range': ranges[0], 'yaxis.range': ranges[1]});
    await new Promise(r => requestAnimationFrame(() => r()));
    return performance.now() - start; }"""
HOVER = """async (point) => { const gd = document.querySelector('.js-plotly-plot'), trace = gd._fullData[0];
    const i = point % trace.x.length, start = performance.now();
    Plotly.Fx.hover(gd, {xval: trace.x[i], yval: trace.y[i]}, 'xy');
    await new Promise(r => requestAnimationFrame(() => r()));
    return [performance.now() - start, gd.querySelectorAll('.hoverlayer .hovertext').length]; }"""


def build_figure(points: int) -> tuple[go.Figure, list[list[list[float]]]]:
    """Our Scattergl figure, and two zoom windows: the middle quarter, then the whole (the last zoom)."""
    space = load_glove(points)
    coords = project(space, "pca", 2).coords
    groups = [f"group {g}" for g in np.arange(len(space)) % 8]
    figure = scatter_figure(coords, space.words, ScatterOptions(labels=100, colouring=Colouring("cluster", groups)))
    low, high = coords.min(axis=0).astype(float), coords.max(axis=0).astype(float)
    middle, quarter = (low + high) / 2, (high - low) / 8
    zoomed = [[middle[i] - quarter[i], middle[i] + quarter[i]] for i in (0, 1)]
    whole = [[low[i], high[i]] for i in (0, 1)]
    return figure, [zoomed, whole]


def as_svg(figure: go.Figure) -> go.Figure:
    """The same traces and layout, each Scattergl turned into an SVG Scatter."""
    traces = [go.Scatter({k: v for k, v in t.to_plotly_json().items() if k != "type"}) for t in figure.data]
    return go.Figure(traces, figure.layout)


def measure(browser, html: Path, ranges: list, repeat: int, timeout_s: float) -> dict:
    """Open the page, wait until drawn, then time zooms and hovers; console messages are kept."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    result: dict = {"messages": messages}
    start = time.perf_counter()
    try:
        page.goto(html.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(DRAWN, timeout=timeout_s * 1000, polling=100)
        result["drawn_ms"] = page.evaluate(AFTER_FRAMES)  # performance.now() counts from navigation start
    except Exception as error:  # a Playwright TimeoutError, usually
        result["error"] = f"{type(error).__name__} after {time.perf_counter() - start:.0f} s"
        page.close()
        return result
    result["wall_s"] = time.perf_counter() - start
    result["webgl"] = page.evaluate(WEBGL)
    zooms = [page.evaluate(ZOOM, ranges[run % 2]) for run in range(2 * repeat)]
    hovers = []
    for run in range(repeat):
        page.wait_for_timeout(100)  # plotly throttles hovers closer than 50 ms
        hovers.append(page.evaluate(HOVER, 10 + 997 * run))
    result["zoom_ms"] = statistics.median(zooms)
    result["hover_ms"] = statistics.median(ms for ms, _ in hovers)
    result["hover_labels"] = sum(shown > 0 for _, shown in hovers)
    result["painted"] = painted_share(page.locator(".js-plotly-plot").screenshot())
    page.close()
    return result


def painted_share(png: bytes) -> float:
    """Share of the plot's pixels in a strong colour (the markers; background, grid and labels are
    grey or white): were the points really drawn?"""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return float((pixels.max(axis=2) - pixels.min(axis=2) > 60).mean())


def report(name: str, result: dict, repeat: int) -> None:
    if "error" in result:
        print(f"{name}: DID NOT FINISH DRAWING ({result['error']})")
    else:
        webgl = result["webgl"]
        print(
            f"{name}: drawn {result['drawn_ms']:8.0f} ms after navigation (wall {result['wall_s']:.1f} s); "
            f"zoom median {result['zoom_ms']:7.1f} ms; hover median {result['hover_ms']:6.1f} ms "
            f"(label shown {result['hover_labels']}/{repeat})"
        )
        print(
            f"    regl context: {webgl['regl']}, WebGL renderer: {webgl['renderer']}, "
            f"canvases: {webgl['canvases']}, SVG point nodes: {webgl['svgPoints']:,}, "
            f"coloured pixels: {result['painted']:.1%}"
        )
    gl_messages = [m for m in result["messages"] if "webgl" in m.lower() or "gl_" in m.lower() or "error" in m.lower()]
    print(f"    console: {len(result['messages'])} messages, {len(gl_messages)} about WebGL or errors")
    for message in gl_messages[:5]:
        print(f"      {message[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000, help="most frequent GloVe words to draw")
    parser.add_argument("--repeat", type=int, default=5, help="zooms (each way) and hovers; the median is reported")
    parser.add_argument("--timeout", type=float, default=120, help="seconds the Scattergl page may take to draw")
    parser.add_argument("--svg-timeout", type=float, default=300, help="seconds the SVG page may take to draw")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    figure, ranges = build_figure(args.points)
    results = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, fig, timeout in (
            ("scattergl", figure, args.timeout),
            ("svg scatter", as_svg(figure), args.svg_timeout),
        ):
            html = Path(folder) / f"{name.replace(' ', '_')}.html"
            html.write_text(fig.to_html(include_plotlyjs=True), encoding="utf-8")
            print(f"{name}: {html.stat().st_size / 1e6:.1f} MB of HTML, {len(fig.data)} traces", flush=True)
            results[name] = measure(browser, html, ranges, args.repeat, timeout)
        print(f"browser: Chromium {browser.version}, headless, {' '.join(ARGS)}")
        browser.close()
    print(f"points: {args.points:,} GloVe words, PCA, 8 colour groups, 100 labels")
    for name, result in results.items():
        report(name, result, args.repeat)
    gl, svg = results["scattergl"], results["svg scatter"]
    what = f"draw {args.points:,} points in Chromium (software WebGL), then zoom and hover"
    if "error" in gl:
        report_result(what, "did not draw", "plotly SVG Scatter", "-", gl["error"], ok=False)
        sys.exit("PROBLEM: the Scattergl figure did not draw")
    ours = f"drawn {gl['drawn_ms']:.0f} ms, zoom {gl['zoom_ms']:.0f} ms, hover {gl['hover_ms']:.0f} ms"
    if "error" in svg:
        print(f"ratio: SVG did not draw within {args.svg_timeout:.0f} s; Scattergl drew in {gl['drawn_ms']:.0f} ms")
        reference, ratio = f"plotly SVG Scatter: not drawn within {args.svg_timeout:.0f} s", "-"
    else:
        print(
            f"ratio (svg / scattergl): draw {svg['drawn_ms'] / gl['drawn_ms']:.1f}x, "
            f"zoom {svg['zoom_ms'] / gl['zoom_ms']:.1f}x, hover {svg['hover_ms'] / gl['hover_ms']:.1f}x"
        )
        reference = (
            f"plotly SVG Scatter: drawn {svg['drawn_ms']:.0f} ms, zoom {svg['zoom_ms']:.0f} ms, "
            f"hover {svg['hover_ms']:.0f} ms"
        )
        ratio = (
            f"draw {svg['drawn_ms'] / gl['drawn_ms']:.1f}x, zoom {svg['zoom_ms'] / gl['zoom_ms']:.1f}x, "
            f"hover {svg['hover_ms'] / gl['hover_ms']:.1f}x faster"
        )
    webgl, labels, painted = gl["webgl"]["regl"], gl["hover_labels"], gl["painted"]
    drawn = bool(webgl and labels and painted >= 0.01)
    note = f"WebGL context {webgl}, hover labels {labels}/{args.repeat}, painted {painted:.1%}"
    report_result(what, ours, reference, ratio, note, ok=drawn)
    if not drawn:
        sys.exit("PROBLEM: no WebGL context for the Scattergl figure, nothing painted, or hover showed no label")


if __name__ == "__main__":
    main()
