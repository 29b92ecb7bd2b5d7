"""Thumbnails (sprite cutting, PNG data URIs, the hover picture) and the neighbours-share measure."""

from __future__ import annotations

import io

import numpy as np
import pytest

from app.errors import InputError
from app.figures.explore import ScatterOptions, scatter_figure
from app.geometry.label_share import label_share, neighbours_share
from app.io import images
from app.io.digits import load_learned_digits_space
from app.io.images import (
    cut_sprite,
    decode_png,
    hover_picture,
    image_bytes,
    images_for,
    ink_thumbnails,
    png_data_uri,
    small_thumbnails,
)
from app.io.samples import load_digits_space


def numbered_sheet(count: int, *, width: int, height: int, across: int) -> np.ndarray:
    """A sprite sheet where every pixel of image i holds the value i + 1 (0 is the unused rest)."""
    down = -(-count // across)
    sheet = np.zeros((down * height, across * width), dtype=np.uint8)
    for i in range(count):
        row, col = divmod(i, across)
        sheet[row * height : (row + 1) * height, col * width : (col + 1) * width] = i + 1
    return sheet


def test_a_sprite_is_cut_row_by_row_into_images_of_the_given_size():
    sheet = numbered_sheet(7, width=3, height=2, across=4)  # 4 across, 2 down, one slot unused
    cut = cut_sprite(sheet, "sprite.png", single=(3, 2), count=7)
    assert len(cut) == 7
    for i, image in enumerate(cut):
        assert image.shape == (2, 3) and np.all(image == i + 1)


@pytest.mark.parametrize(
    ("single", "count", "message"),
    [((3, 2), 9, "does not hold 9 images"), ((5, 2), 7, "pixels left over"), ((0, 2), 1, "two positive numbers")],
)
def test_a_sprite_of_the_wrong_size_is_refused(single, count, message):
    with pytest.raises(InputError, match=message):
        cut_sprite(numbered_sheet(7, width=3, height=2, across=4), "sprite.png", single=single, count=count)


@pytest.mark.parametrize("channels", [None, 3, 4])
def test_our_png_reads_back_the_same_pixels_with_pillow_and_ourselves(channels):
    from PIL import Image

    shape = (5, 7) if channels is None else (5, 7, channels)
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    data = image_bytes(png_data_uri(pixels))
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), pixels)
    np.testing.assert_array_equal(decode_png(data).reshape(shape), pixels)


def test_thumbnails_are_shrunk_and_capped(monkeypatch):
    big = [np.full((100, 50, 3), i, dtype=np.uint8) for i in range(4)]
    uris, warnings = small_thumbnails(big)
    assert warnings == [] and all(decode_png(image_bytes(u)).shape[:2] == (28, 14) for u in uris)
    monkeypatch.setattr(images, "MAX_TOTAL_BYTES", len(uris[0]) + len(uris[1]))
    uris, warnings = small_thumbnails(big)
    assert uris[2:] == [None, None] and "first 2 points" in warnings[0]


def test_digit_thumbnails_are_ink_and_the_hover_picture_shows_the_strokes():
    digit = np.zeros((1, 8, 8))
    digit[0, :, 3] = 16  # a vertical stroke: a one
    (uri,) = ink_thumbnails(digit, brightest=16.0, scale=3)
    pixels = decode_png(image_bytes(uri))
    assert pixels.shape == (24, 24, 4)
    assert np.all(pixels[:, 9:12, 3] == 255) and np.all(pixels[:, :9, 3] == 0)  # opaque ink, clear paper
    lines = hover_picture(uri).split("<br>")
    assert len(lines) == 8 and all(line == "\u00a0" * 6 + "██" + "\u00a0" * 8 for line in lines)


def test_the_digits_sample_has_a_picture_for_every_point_and_a_subset_keeps_them():
    space = load_digits_space()
    assert len(space.source["images"]) == len(space)
    subset = space.subset(indices=[5, 3])
    found = images_for(subset.source, subset.words)
    assert found == [space.source["images"][space.words[5]], space.source["images"][space.words[3]]]
    assert images_for({}, subset.words) is None


def test_the_picture_draws_thumbnails_and_the_hover_shows_the_image():
    space = load_digits_space().head(40)
    coords = np.random.default_rng(1).normal(size=(40, 2))
    pictures = images_for(space.source, space.words)
    figure = scatter_figure(coords, list(space.words), ScatterOptions(labels=0), images=pictures)
    drawn = figure.layout.images
    assert 0 < len(drawn) <= 40 and all(image.source in pictures for image in drawn)
    first = next(trace for trace in figure.data if 0 in trace.customdata.ravel())
    row = list(first.customdata.ravel()).index(0)
    assert hover_picture(pictures[0]) in first.hovertext[row]
    plain = scatter_figure(coords, list(space.words), ScatterOptions(labels=0))
    assert not plain.layout.images and "█" not in "".join(plain.data[0].hovertext)


def test_neighbours_share_counts_the_neighbours_with_the_same_label():
    unit = np.array([[1, 0], [0.99, 0.14], [0.9, 0.44], [0, 1], [0.14, 0.99]], dtype=np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    share = neighbours_share(["a", "a", "b", "b", "b"], unit, k=1)
    np.testing.assert_allclose(share, [1, 1, 0, 1, 1])  # the lone b among the a's has an a for a neighbour


def test_learned_digit_features_put_more_same_digit_neighbours_together_than_raw_pixels():
    raw = label_share(load_digits_space(), "digit")
    learned_space = load_learned_digits_space()
    learned = label_share(learned_space, "digit")
    assert raw.k == learned.k == 10
    assert learned.mean > raw.mean > 0.9
    held_out = np.flatnonzero(learned_space.metadata["split"] == "held out")
    assert learned.mean_over(held_out) > raw.mean_over(held_out)
    recorded = learned_space.source["neighbours_share"]
    assert recorded["learned features"]["all"] == pytest.approx(learned.mean, abs=1e-6)
    assert recorded["raw pixels"]["all"] == pytest.approx(raw.mean, abs=1e-6)


def test_label_share_refuses_a_column_that_is_no_grouping():
    space = load_digits_space().head(60)
    with pytest.raises(InputError, match="no metadata column"):
        label_share(space, "colour")


def test_label_by_names_points_by_a_metadata_column():
    from app.figures.explore import point_names

    space = load_digits_space().head(3)
    assert point_names(space, [space.words[2], "placed word"], "digit") == ["2", "placed word"]
    assert point_names(space, list(space.words), "") == list(space.words)
