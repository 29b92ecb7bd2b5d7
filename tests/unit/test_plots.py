import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from app.figures.explore import MAX_CATEGORIES, PALETTE, Colouring, ScatterOptions, scatter_figure


def coords(n: int, k: int = 2, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, k)).astype(np.float32)


def words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


def rows_of(trace) -> list[int]:
    return np.asarray(trace.customdata)[:, 0].astype(int).tolist()


def traces(figure, name: str) -> list:
    return [t for t in figure.data if t.name == name]


def point_traces(figure) -> list:
    return [t for t in figure.data if t.name not in ("labels",) and t.mode == "markers"]


# --- basics -------------------------------------------------------------------------------
def test_2d_uses_scattergl_and_customdata_is_the_row():
    xy = coords(30)
    figure = scatter_figure(xy, words(30), ScatterOptions(labels=0))
    assert isinstance(figure, go.Figure)
    assert len(figure.data) == 1
    (trace,) = figure.data
    assert isinstance(trace, go.Scattergl)
    assert rows_of(trace) == list(range(30))
    np.testing.assert_allclose(trace.x, xy[:, 0])
    np.testing.assert_allclose(trace.y, xy[:, 1])
    assert trace.hovertext[3] == "<b>w3</b>"
    assert figure.layout.dragmode == "lasso"


def test_3d_uses_scatter3d():
    xyz = coords(20, 3)
    figure = scatter_figure(xyz, words(20), ScatterOptions(labels=5, highlight=[2], neighbours=[4]))
    assert all(isinstance(t, go.Scatter3d) for t in figure.data)
    points = traces(figure, "points")[0]
    np.testing.assert_allclose(points.z, xyz[:, 2])
    assert rows_of(points) == list(range(20))
    assert traces(figure, "neighbours")[0].marker.symbol == "diamond"
    assert traces(figure, "search matches")[0].marker.symbol == "circle-open"
    assert figure.layout.dragmode == "orbit"
    assert figure.layout.xaxis.range is None


def test_default_options():
    figure = scatter_figure(coords(5), words(5))
    assert [t.name for t in figure.data] == ["points", "labels"]
    assert figure.layout.height == 640


def test_hover_shows_metadata_except_the_word_column():
    meta = pd.DataFrame({"word": ["a", "b"], "pos": ["noun", "verb"], "rank": [1, 2]})
    figure = scatter_figure(coords(2), ["a", "b"], ScatterOptions(labels=0, hover=meta))
    assert figure.data[0].hovertext == ("<b>a</b><br>pos: noun<br>rank: 1", "<b>b</b><br>pos: verb<br>rank: 2")


# --- colours ------------------------------------------------------------------------------
def test_categories_are_one_trace_each_in_natural_order():
    values = ["10: x", "2: y", "10: x", "noise (no cluster)", "2: y", "1: z"]
    figure = scatter_figure(coords(6), words(6), ScatterOptions(labels=0, colouring=Colouring("cluster", values)))
    assert [t.name for t in figure.data] == ["1: z", "2: y", "10: x", "noise (no cluster)"]
    assert rows_of(traces(figure, "10: x")[0]) == [0, 2]
    assert rows_of(traces(figure, "2: y")[0]) == [1, 4]
    colours = [t.marker.color for t in figure.data]
    assert len(set(colours)) == 4
    assert sorted(r for t in figure.data for r in rows_of(t)) == list(range(6))


def test_more_than_20_categories_keep_the_20_largest_and_group_the_rest_as_other():
    values = [f"c{i}" for i in range(30) for _ in range(30 - i)]  # c0 is the largest, c29 the smallest
    n = len(values)
    figure = scatter_figure(coords(n), words(n), ScatterOptions(labels=0, colouring=Colouring("c", values)))
    names = [t.name for t in figure.data]
    assert len(names) == MAX_CATEGORIES + 1
    assert names[-1] == "other"
    assert set(names[:-1]) == {f"c{i}" for i in range(MAX_CATEGORIES)}
    other = traces(figure, "other")[0]
    assert len(rows_of(other)) == sum(30 - i for i in range(MAX_CATEGORIES, 30))
    assert other.marker.color == PALETTE[-1]
    assert len({t.marker.color for t in figure.data}) == MAX_CATEGORIES + 1
    assert sorted(r for t in figure.data for r in rows_of(t)) == list(range(n))


def test_numeric_categories_sort_as_numbers():
    values = [3, 10, 1, 2, 10]
    figure = scatter_figure(coords(5), words(5), ScatterOptions(labels=0, colouring=Colouring("digit", values)))
    assert [t.name for t in figure.data] == ["1", "2", "3", "10"]


def test_unusual_category_text_does_not_break_the_order():
    values = ["²", "-1", "nan", "1.5", "a:b", "²", "--1"]
    figure = scatter_figure(coords(7), words(7), ScatterOptions(labels=0, colouring=Colouring("odd", values)))
    assert [t.name for t in figure.data] == ["-1", "1.5", "--1", "a:b", "nan", "²"]


def test_numeric_colour_is_one_trace_with_a_colour_bar():
    values = np.linspace(0, 1, 10)
    colouring = Colouring("kept", values, numeric=True, colorscale="RdYlGn", range=(0, 1))
    figure = scatter_figure(coords(10), words(10), ScatterOptions(labels=0, colouring=colouring))
    (trace,) = figure.data
    assert trace.name == "kept"
    np.testing.assert_allclose(trace.marker.color, values)
    assert trace.marker.showscale is True
    assert trace.marker.colorbar.title.text == "kept"
    assert (trace.marker.cmin, trace.marker.cmax) == (0, 1)
    assert rows_of(trace) == list(range(10))


def test_numeric_colour_without_range_leaves_it_automatic():
    colouring = Colouring("rank", [1, 2, 3], numeric=True)
    (trace,) = scatter_figure(coords(3), words(3), ScatterOptions(labels=0, colouring=colouring)).data
    assert trace.marker.cmin is None and trace.marker.cmax is None
    assert trace.marker.colorscale is not None


# --- labels, highlight, neighbours ------------------------------------------------------------
def test_labels_trace_names_the_first_points():
    xy = coords(50)
    figure = scatter_figure(xy, words(50), ScatterOptions(labels=7))
    (labels,) = traces(figure, "labels")
    assert labels.mode == "text"
    assert list(labels.text) == words(7)
    np.testing.assert_allclose(labels.x, xy[:7, 0])
    assert labels.showlegend is False
    assert list(traces(scatter_figure(xy[:3], words(3), ScatterOptions(labels=100)), "labels")[0].text) == words(3)
    assert traces(scatter_figure(xy, words(50), ScatterOptions(labels=0)), "labels") == []


def test_highlight_and_neighbours_traces():
    xy = coords(40)
    options = ScatterOptions(labels=0, highlight=[5, 9], highlight_name="matches for 'w'", neighbours=[1, 2, 3])
    figure = scatter_figure(xy, words(40), options)
    (highlight,) = traces(figure, "matches for 'w'")
    (neighbours,) = traces(figure, "neighbours")
    assert rows_of(highlight) == [5, 9]
    assert list(highlight.text) == ["w5", "w9"]
    assert highlight.mode == "markers+text"
    np.testing.assert_allclose(highlight.x, xy[[5, 9], 0])
    assert rows_of(neighbours) == [1, 2, 3]
    assert list(neighbours.text) == ["w1", "w2", "w3"]
    assert [t.name for t in figure.data] == ["points", "neighbours", "matches for 'w'"]


def test_no_highlight_means_no_extra_traces_and_no_zoom():
    figure = scatter_figure(coords(10), words(10), ScatterOptions(labels=0, highlight=[], neighbours=[]))
    assert [t.name for t in figure.data] == ["points"]
    assert figure.layout.xaxis.range is None
    assert figure.layout.yaxis.range is None


def test_zoom_to_highlight_contains_the_highlighted_points_and_not_everything():
    xy = np.array([[0, 0], [1, 1], [100, 100], [-100, 50], [0.5, 0.2]], dtype=np.float32)
    figure = scatter_figure(xy, words(5), ScatterOptions(labels=0, highlight=[0, 1]))
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range
    assert x0 < 0 < 1 < x1
    assert y0 < 0 < 1 < y1
    assert x1 < 100 and x0 > -100 and y1 < 50
    assert (
        scatter_figure(xy, words(5), ScatterOptions(highlight=[0, 1], zoom_to_highlight=False)).layout.xaxis.range
        is None
    )


def test_title_and_height():
    figure = scatter_figure(coords(3), words(3), ScatterOptions(title="GloVe", height=400))
    assert figure.layout.title.text == "GloVe"
    assert figure.layout.height == 400


def test_figure_serialises_to_json():
    figure = scatter_figure(coords(20, 3), words(20), ScatterOptions(colouring=Colouring("g", ["a", "b"] * 10)))
    assert '"type":"scatter3d"' in figure.to_json().replace(" ", "")


@pytest.mark.parametrize("k", [2, 3])
def test_every_point_trace_covers_each_row_once(k):
    values = [str(i % 4) for i in range(25)]
    figure = scatter_figure(coords(25, k), words(25), ScatterOptions(colouring=Colouring("g", values), neighbours=[0]))
    rows = [r for t in point_traces(figure) for r in rows_of(t)]
    assert sorted(rows) == list(range(25))


# --- escaping (issue 16: plotly renders a subset of HTML) ------------------------------------------
HOSTILE = '<a href="http://host/x">click</a>'
SPAN = '<span style="font-size:80px">big</span>'


def no_markup(*texts) -> bool:
    return all("<a" not in str(t) and "<span" not in str(t) for t in texts)


def test_scatter_escapes_words_metadata_categories_and_names():
    meta = pd.DataFrame({"note": [SPAN, "ok"]})
    options = ScatterOptions(
        labels=5, hover=meta, colouring=Colouring("c", [HOSTILE, "x"]), highlight=[0], highlight_name=f"matches {SPAN}"
    )
    figure = scatter_figure(coords(2), [HOSTILE, "b"], options)
    for trace in figure.data:
        assert no_markup(trace.name, *(trace.text or ()), *(trace.hovertext or ()))
    assert "&lt;a href" in figure.data[0].name
    assert "&lt;span style" in figure.data[0].hovertext[0] and "<b>" in figure.data[0].hovertext[0]


def test_analogy_figure_escapes_words():
    from app.figures.analogies import analogy_figure
    from app.geometry.analogies import solve
    from tests.conftest import make_space

    words = [HOSTILE, "b", "c", "d", "e"]
    space = make_space(words, np.random.default_rng(0).normal(size=(5, 4)))
    figure = analogy_figure(space, solve(space, HOSTILE, "b", "c"))
    assert all(no_markup(*(t.text or ()), t.hovertext) for t in figure.data)


def test_bias_figures_escape_words_and_direction_names():
    from app.figures.bias import projection_bars, two_axis_figure

    table = pd.DataFrame({"word": [HOSTILE, "b"], "projection": [0.2, -0.1], "x": [0.1, 0.2], "y": [0.3, 0.1]})
    bars = projection_bars(table, band=0.05, title=SPAN, positive=HOSTILE, negative="b")
    assert no_markup(*bars.data[0].y, bars.layout.title.text, bars.layout.xaxis.title.text)
    both = two_axis_figure(table, x_name=HOSTILE, y_name=SPAN)
    assert no_markup(*both.data[0].text, both.layout.xaxis.title.text, both.layout.yaxis.title.text)


def test_evaluate_figures_escape_sections_spaces_and_words():
    from app.figures.evaluate import pairs_scatter, section_bars

    sections = pd.DataFrame({"section": [HOSTILE], "accuracy": [0.5], "correct": [1], "total": [2]})
    bars = section_bars({SPAN: sections})
    assert no_markup(bars.data[0].name, *bars.data[0].x)
    pairs = pd.DataFrame({"word1": [HOSTILE], "word2": [SPAN], "human": [5.0], "model": [0.3], "oov": [False]})
    scatter = pairs_scatter(pairs, title=SPAN)
    assert no_markup(*scatter.data[0].text, scatter.layout.title.text)


# --- labels that do not overlap, axis titles, placed points -------------------------------------
def test_labels_never_cover_each_other_in_a_dense_centre():
    from app.figures.labels import readable_labels

    xy = np.random.default_rng(1).normal(scale=0.01, size=(300, 2))
    xy[:5] = [[-10, -10], [10, 10], [-10, 10], [10, -10], [0, 0]]
    chosen = readable_labels(xy, words(300), list(range(300)))
    assert chosen[:5] == [0, 1, 2, 3, 4]
    assert len(chosen) < 20  # the rest sit on top of each other near the centre


def test_axis_titles_say_what_the_axes_are():
    from app.figures.explore import axis_titles
    from app.projection.methods import Projection

    pca = Projection(coords(3), "pca", 2, {}, 0.1, explained_variance=(0.12, 0.08))
    assert axis_titles(pca) == ("PC 1 (12% of variance)", "PC 2 (8% of variance)")
    assert axis_titles(Projection(coords(3), "umap", 2, {}, 0.1))[0] == "UMAP 1, no unit"
    figure = scatter_figure(coords(3), words(3), ScatterOptions(axis_titles=axis_titles(pca)))
    assert figure.layout.xaxis.title.text == "PC 1 (12% of variance)"


def test_placed_points_are_drawn_only_where_marked():
    options = ScatterOptions(labels=0, neighbours=[5], placed=1)
    figure = scatter_figure(coords(6), words(6), options)
    assert sorted(r for t in point_traces(figure) for r in rows_of(t)) == list(range(5))
    (marked,) = traces(figure, "neighbours")
    assert rows_of(marked) == [5] and "placed near" in marked.hovertext[0]
