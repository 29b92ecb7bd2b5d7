"""Explore's WebGL scatter in Chromium with software GL (SwiftShader; no GPU here): 1,000,000 points
drawn, pan, zoom and hover; 100,000 GloVe words against today's Plotly Scattergl in the same run;
and the server's memory per picture.

Ours: the committed component bundle in a host page that speaks Streamlit's component protocol
(bench/webgl/harness.py), its binary parts fetched over HTTP as the app serves them. Times run from
the render message (data sent) to the first frame after the component says it has drawn. The
reference: the figure Explore draws today (Scattergl, as bench/render_100k.py) on the same 100,000
words, from navigation start until plotly has drawn. Targets (issue 15): 1M drawn <= 5 s, pan and
zoom frames < 100 ms, hover < 50 ms, 100k at least 3x faster than Scattergl.

    .venv/bin/python bench/render_1m.py [--points 1000000] [--compare 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import report_result  # noqa: E402
from render_100k import ARGS as PLOTLY_ARGS  # noqa: E402
from render_100k import CHROMIUM, build_figure  # noqa: E402
from render_100k import measure as measure_plotly  # noqa: E402
from webgl.harness import SOFTWARE_GL, SWIFTSHADER_COMPOSITING, measure  # noqa: E402

from app.figures.explore import Colouring  # noqa: E402
from app.figures.scatter_data import WebglPicture, pack_colours, pack_labels, pack_points  # noqa: E402
from app.io.samples import load_glove  # noqa: E402
from app.projection.methods import project  # noqa: E402


def picture_of(coords: np.ndarray, names: list[str], groups: np.ndarray) -> tuple[WebglPicture, float, int]:
    """The picture as the page packs it, the seconds that took and how much the process grew."""
    process = psutil.Process()
    before = process.memory_info().rss
    start = time.perf_counter()
    picture = WebglPicture(
        n=len(coords),
        points=pack_points(coords),
        labels=pack_labels(names),
        colours=pack_colours(Colouring("cluster", groups), len(coords)),
        labelled=list(range(100)),
    )
    seconds = time.perf_counter() - start
    return picture, seconds, process.memory_info().rss - before


def million(points: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``points`` points in 8 overlapping Gaussian clusters of different sizes, named point-<i>."""
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 8, size=points)
    centres = rng.normal(scale=4.0, size=(8, 2))
    spread = rng.uniform(0.5, 2.0, size=8)
    coords = (centres[groups] + rng.normal(size=(points, 2)) * spread[groups, None]).astype(np.float32)
    return coords, [f"point-{i}" for i in range(points)], np.array([f"group {g}" for g in groups])


def glove(points: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The same points, names and 8 colour groups as bench/render_100k.py's figure."""
    space = load_glove(points)
    coords = project(space, "pca", 2, record_timing=False).coords
    return coords, list(space.words), np.array([f"group {g}" for g in np.arange(len(space)) % 8])


def line(name: str, result: dict) -> str:
    if "error" in result:
        return f"{name}: DID NOT DRAW ({result['error']})"
    return (
        f"{name}: first frame {result['drawn_ms']:7.0f} ms after the data was sent; pan {result['pan_ms']:.0f} ms "
        f"(max {result['pan_max_ms']:.0f}), zoom {result['zoom_ms']:.0f} ms (max {result['zoom_max_ms']:.0f}), "
        f"hover {result['hover_ms']:.0f} ms; camera set by script: pan {result['pan_set_ms']:.0f} ms, "
        f"zoom {result['zoom_set_ms']:.0f} ms; painted {result['painted']:.1%}; renderer {result['renderer']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="points in the big picture")
    parser.add_argument("--compare", type=int, default=100_000, help="GloVe words drawn by both us and Scattergl")
    parser.add_argument("--repeat", type=int, default=5, help="pans, zooms (each twice) and hovers: medians")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a picture may take to draw")
    parser.add_argument(
        "--compositing",
        choices=["software", "swiftshader"],
        default="software",
        help="how the page is composited around the WebGL canvas (software: as without a GPU)",
    )
    parser.add_argument("--screenshot", type=Path, default=None, help="save the 1M picture's page here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    big, big_seconds, big_peak = picture_of(*million(args.points))
    small, small_seconds, _ = picture_of(*glove(args.compare))
    print(
        f"server, {args.points:,} points: packed in {big_seconds:.2f} s (the process grew {big_peak / 1e6:.0f} MB); "
        f"the store holds {big.nbytes / 1e6:.1f} MB per picture ({big.nbytes / args.points:.1f} bytes a point)"
    )
    print(f"server, {args.compare:,} GloVe words: packed in {small_seconds:.2f} s, {small.nbytes / 1e6:.1f} MB")
    figure, ranges = build_figure(args.compare)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        flags = SOFTWARE_GL if args.compositing == "software" else SWIFTSHADER_COMPOSITING
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        ours_big = measure(browser, big, repeat=args.repeat, timeout_s=args.timeout)
        ours_small = measure(browser, small, repeat=args.repeat, timeout_s=args.timeout)
        print(f"browser: Chromium {browser.version}, headless, {' '.join(flags)}")
        browser.close()
        html = Path(folder) / "scattergl.html"
        html.write_text(figure.to_html(include_plotlyjs=True), encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=PLOTLY_ARGS)
        plotly = measure_plotly(browser, html, ranges, args.repeat, args.timeout)
        browser.close()
    if args.screenshot and "screenshot" in ours_big:
        args.screenshot.write_bytes(ours_big["screenshot"])
    print(line(f"webgl {args.points:,}", ours_big))
    print(line(f"webgl {args.compare:,} GloVe", ours_small))
    if "error" in plotly:
        print(f"scattergl {args.compare:,}: DID NOT DRAW ({plotly['error']})")
    else:
        print(
            f"scattergl {args.compare:,}: drawn {plotly['drawn_ms']:.0f} ms after navigation; zoom "
            f"{plotly['zoom_ms']:.0f} ms; hover {plotly['hover_ms']:.0f} ms"
        )
    what = f"WebGL scatter: {args.points:,} points drawn, pan/zoom/hover; {args.compare:,} vs Scattergl"
    if "error" in ours_big or "error" in ours_small:
        report_result(what, "did not draw", "plotly Scattergl", "-", ours_big.get("error", ours_small.get("error")))
        sys.exit("PROBLEM: the WebGL scatter did not draw")
    ours = (
        f"1M: {ours_big['drawn_ms'] / 1000:.1f} s to first frame, pan {ours_big['pan_ms']:.0f} ms, zoom "
        f"{ours_big['zoom_ms']:.0f} ms, hover {ours_big['hover_ms']:.0f} ms; 100k: {ours_small['drawn_ms']:.0f} ms; "
        f"server {big.nbytes / 1e6:.0f} MB per 1M picture"
    )
    if "error" in plotly:
        reference, ratio = f"Scattergl 100k: not drawn within {args.timeout:.0f} s", "-"
    else:
        reference = f"Scattergl 100k: drawn {plotly['drawn_ms']:.0f} ms, zoom {plotly['zoom_ms']:.0f} ms"
        ratio = f"100k draw {plotly['drawn_ms'] / ours_small['drawn_ms']:.1f}x faster"
    targets = {
        "1M <= 5 s": ours_big["drawn_ms"] <= 5000,
        "pan < 100 ms": ours_big["pan_ms"] < 100,
        "zoom < 100 ms": ours_big["zoom_ms"] < 100,
        "hover < 50 ms": ours_big["hover_ms"] < 50,
        ">= 3x Scattergl": "error" not in plotly and plotly["drawn_ms"] >= 3 * ours_small["drawn_ms"],
    }
    note = "targets " + ", ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in targets.items())
    note += f"; painted {ours_big['painted']:.1%}; software GL ({ours_big['renderer']})"
    painted = ours_big["painted"] > 0.01 and ours_small["painted"] > 0.01
    report_result(what, ours, reference, ratio, note, ok=painted)
    if not painted:
        sys.exit("PROBLEM: nothing was painted")


if __name__ == "__main__":
    main()
