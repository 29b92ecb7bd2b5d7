"""The WebGL picture's binary parts: exact round trips, the Plotly picture's colours, content hashes
that change only with the content (the browser fetches a part again only then)."""

import numpy as np
import pytest

from app.figures.explore import Colouring, colour_groups
from app.figures.scatter_data import (
    DENSITY_FROM,
    WebglPicture,
    marks_for,
    pack_colours,
    pack_labels,
    pack_points,
    unpack_labels,
    unpack_points,
)


def test_points_are_float32_columns_scaled_into_the_unit_square_keeping_the_aspect():
    coords = np.array([[0.0, 0.0], [4.0, 1.0], [2.0, 0.5]], dtype=np.float32)
    part = pack_points(coords)
    assert len(part.data) == 3 * 2 * 4  # x[n] then y[n], float32, no JSON
    xy = unpack_points(part.data)
    assert xy[:, 0].tolist() == [-1.0, 1.0, 0.0]
    assert xy[:, 1].tolist() == pytest.approx([-0.25, 0.25, 0.0])  # 1/4 of the width: the aspect kept


def test_a_million_points_pack_to_eight_megabytes():
    coords = np.random.default_rng(0).normal(size=(1_000_000, 2)).astype(np.float32)
    part = pack_points(coords)
    assert len(part.data) == 8_000_000
    assert np.abs(unpack_points(part.data)).max() <= 1.0


def test_labels_round_trip_any_text_including_empty_and_non_ascii():
    names = ["king", "", "café", "東京", "<b>x</b>", "a\nb"]
    part = pack_labels(names)
    assert unpack_labels(part.data) == names


def test_hash_follows_the_content_only():
    a, b = pack_labels(["x", "y"]), pack_labels(["x", "y"])
    assert a.hash == b.hash
    assert pack_labels(["x", "z"]).hash != a.hash


def test_category_codes_match_the_plotly_groups():
    values = np.array(["b", "a", "b", "c"] * 5)
    colouring = Colouring("letter", values)
    packed = pack_colours(colouring, 20)
    codes = np.frombuffer(packed.part.data, dtype="<u2")
    groups = list(colour_groups(colouring, 20))
    assert packed.legend["names"] == [name for name, _, _ in groups]
    assert packed.legend["colours"] == [marker["color"] for _, _, marker in groups]
    for code, (_, rows, _) in enumerate(groups):
        assert set(np.flatnonzero(codes == code)) == set(rows.tolist())


def test_placed_rows_get_their_own_grey_category():
    packed = pack_colours(Colouring("letter", np.array(["a", "b", "a"])), 5, projected=3)
    codes = np.frombuffer(packed.part.data, dtype="<u2")
    assert packed.legend["names"][-1] == "placed"
    assert codes[3:].tolist() == [len(packed.legend["names"]) - 1] * 2


def test_numbers_become_values_in_the_unit_range_with_a_scale():
    colouring = Colouring("rank", np.array([1.0, 3.0, 5.0]), numeric=True, colorscale="Viridis")
    packed = pack_colours(colouring, 3)
    values = np.frombuffer(packed.part.data, dtype="<f4")
    assert values.tolist() == [0.0, 0.5, 1.0]
    assert packed.legend["kind"] == "value" and packed.legend["colours"][0].startswith("#")


def test_no_colouring_sends_no_colour_bytes():
    packed = pack_colours(None, 10)
    assert packed.part.data == b"" and packed.legend["kind"] == "none"


def test_the_description_carries_no_per_point_data():
    n = DENSITY_FROM + 1
    picture = WebglPicture(
        n=n,
        points=pack_points(np.zeros((n, 2))),
        labels=pack_labels(["w"] * n),
        colours=pack_colours(None, n),
        marks=marks_for({"neighbours": [1, 2], "query": [], "found": [3]}, {"found": "matches"}),
        labelled=[0, 1],
    )
    description = picture.description()
    assert description["density"] is True
    assert [m["name"] for m in description["marks"]] == ["neighbours", "matches"]
    assert len(str(description)) < 2_000
