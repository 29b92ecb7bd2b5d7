"""The running layout's chart: its spec never depends on the coordinates (so the browser updates it
in place), its colours are the finished picture's, and it labels readable points."""

import numpy as np

from app.figures.explore import Colouring, scatter_figure
from app.figures.explore import ScatterOptions as Options
from app.figures.layout_preview import preview_chart

NAMES = [f"w{i}" for i in range(60)]
CATEGORIES = Colouring("part of speech", ["noun", "verb", "adj"] * 20)


def layout(seed: int, dims: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(len(NAMES), dims)).astype(np.float32)


def test_the_spec_stays_the_same_while_the_layout_moves_and_the_data_follows_it():
    first_data, first_spec = preview_chart(layout(0), NAMES, colouring=CATEGORIES, labels=10)
    later_data, later_spec = preview_chart(layout(1), NAMES, colouring=CATEGORIES, labels=10)
    assert first_spec == later_spec
    np.testing.assert_array_equal(later_data[["x", "y"]].to_numpy(), layout(1))
    assert list(later_data["name"]) == NAMES


def test_categories_get_the_same_colours_as_in_the_finished_picture():
    data, spec = preview_chart(layout(0), NAMES, colouring=CATEGORIES)
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    figure = scatter_figure(layout(0), NAMES, Options(labels=0, colouring=CATEGORIES))
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {t.name: t.marker.color for t in figure.data}
    assert list(data["colour"][:3]) == ["noun", "verb", "adj"]


def test_numbers_colour_on_a_scale_and_plain_points_have_one_colour():
    ranks = Colouring("log10 rank", np.linspace(0, 2, len(NAMES)), numeric=True, colorscale="Plasma_r")
    _, spec = preview_chart(layout(0), NAMES, colouring=ranks)
    assert spec["layer"][0]["encoding"]["color"]["scale"] == {"scheme": "plasma", "reverse": True}
    data, plain = preview_chart(layout(0), NAMES)
    assert "field" not in plain["layer"][0]["encoding"]["color"] and "colour" not in data


def test_labels_go_to_the_first_points_that_do_not_overlap_and_3d_shows_two_axes():
    data, _ = preview_chart(layout(0, dims=3), NAMES, labels=20, axis_titles=("t-SNE 1", "t-SNE 2", "t-SNE 3"))
    labelled = data.index[data["label"] != ""]
    assert 0 < len(labelled) <= 20 and labelled.max() < 20
    assert list(data["label"][labelled]) == [NAMES[i] for i in labelled]
    assert list(data.columns[:2]) == ["x", "y"] and len(data) == len(NAMES)
