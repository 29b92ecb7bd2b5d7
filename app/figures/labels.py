"""Which word labels fit in a 2D picture without covering each other.

A label is a box about as wide as its text, centred on its point. Going through the candidates in
order (the most frequent words first), a label is kept only when its box is clear of every box
kept before it, so a dense centre gets a few readable words instead of an ink blot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CHAR_WIDTH = 0.6  # of the font size: an average Latin character in plotly's default sans-serif
PADDING_PX = 4
MARKED_TEXT_ABOVE_PX = 12  # a marked point's label is drawn "top center", above its 12 px marker


def readable_labels(
    xy: np.ndarray,
    words: Sequence[str],
    candidates: Sequence[int],
    *,
    reserved: Sequence[int] = (),
    view: tuple[tuple[float, float], tuple[float, float]] | None = None,
    size_px: tuple[int, int] = (650, 560),  # the plot area of a 640 px high figure beside its legend
    font_px: int = 10,
) -> list[int]:
    """The rows of ``candidates`` (in their order) whose labels overlap no earlier label.

    ``reserved`` rows are labelled anyway (marked points) and are kept clear of; ``view`` is the
    visible ((x0, x1), (y0, y1)), by default the data's extent. Both axes share one scale, as the
    picture keeps the aspect ratio.
    """
    xy = np.asarray(xy, dtype=np.float64)[:, :2]
    if not len(candidates) or not len(xy):
        return []
    (x0, x1), (y0, y1) = view or ((xy[:, 0].min(), xy[:, 0].max()), (xy[:, 1].min(), xy[:, 1].max()))
    span_x, span_y = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
    scale = min(size_px[0] / span_x, size_px[1] / span_y)  # pixels per unit on both axes
    kept_boxes: list[tuple[float, float, float, float]] = []

    def box(row: int, above_px: float = 0.0) -> tuple[float, float, float, float]:
        half_w = (len(words[row]) * CHAR_WIDTH * font_px + PADDING_PX) / 2
        half_h = (font_px + PADDING_PX) / 2
        return xy[row, 0] * scale, xy[row, 1] * scale + above_px, half_w, half_h

    def clear(candidate: tuple[float, float, float, float]) -> bool:
        if not kept_boxes:
            return True
        boxes = np.asarray(kept_boxes)
        apart_x = np.abs(boxes[:, 0] - candidate[0]) >= boxes[:, 2] + candidate[2]
        apart_y = np.abs(boxes[:, 1] - candidate[1]) >= boxes[:, 3] + candidate[3]
        return bool(np.all(apart_x | apart_y))

    taken = set(int(r) for r in reserved)
    kept_boxes.extend(box(row, MARKED_TEXT_ABOVE_PX) for row in taken)  # marked points' text sits above them
    chosen = []
    for row in candidates:
        row = int(row)
        if row in taken:
            continue
        candidate = box(row)
        if clear(candidate):
            kept_boxes.append(candidate)
            chosen.append(row)
    return chosen
