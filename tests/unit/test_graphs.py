"""Graphs: edge lists (and their bad lines), node2vec's walk bias, karate-club communities, link prediction."""

import numpy as np
import pytest

from app.errors import Cancelled, InputError
from app.graphs.builtin import builtin_graph
from app.graphs.edges import adjacency, from_pairs, read_edge_list
from app.graphs.embed import GraphConfig, embed_graph
from app.graphs.walks import WalkSettings, random_walks


def test_edge_list_with_header_weights_self_loops_and_duplicates():
    graph = read_edge_list(b"source,target,weight\na,b,2\nb,c,1.5\nc,c,1\nb,a,3\n", filename="g.csv")
    assert graph.nodes == ("a", "b", "c")
    assert graph.n_edges == 2 and graph.weight.tolist() == [2.0, 1.5]
    assert any("self-loop" in note for note in graph.notes)
    assert any("duplicate" in note for note in graph.notes)


def test_tsv_without_header():
    graph = read_edge_list(b"1\t2\n2\t3\n3\t1\n", filename="g.tsv")
    assert graph.n_nodes == 3 and graph.n_edges == 3 and not graph.weighted


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b\nc\n", "line 2"),  # a missing column
        (b"a,b,1\nb,c,heavy\n", "line 2"),  # a weight that is not a number
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"a,b,1,2\n", "line 1"),
        (b"a,b,-1\n", "positive"),
    ],
)
def test_bad_edge_lists_name_the_line(data, expected):
    with pytest.raises(InputError, match=expected):
        read_edge_list(data, filename="bad.csv")


def test_caps_on_nodes_and_edges():
    rows = b"".join(f"n{i},n{i + 1}\n".encode() for i in range(20))
    with pytest.raises(InputError, match="nodes"):
        read_edge_list(rows, filename="big.csv", max_nodes=10)
    with pytest.raises(InputError, match="edges"):
        read_edge_list(rows, filename="big.csv", max_edges=5)


def _transition_frequencies(p, q):
    """From t=0 to v=1 on many copies of a small graph: 1's neighbours are 0 (return), 2 (also 0's
    neighbour), 3 and 4 (outward)."""
    motif = [("0", "1"), ("1", "2"), ("0", "2"), ("1", "3"), ("1", "4")]
    pairs = [(f"{c}-{a}", f"{c}-{b}", 1.0) for c in range(400) for a, b in motif]
    graph = from_pairs("copies", pairs)
    walks = random_walks(adjacency(graph), WalkSettings(walks_per_node=100, walk_length=3, p=p, q=q, seed=3))
    role = np.array([int(name.split("-")[1]) for name in graph.nodes])
    came = walks[(role[walks[:, 0]] == 0) & (role[walks[:, 1]] == 1)]
    counts = np.bincount(role[came[:, 2]], minlength=5)
    return {str(r): counts[r] / counts.sum() for r in (0, 2, 3, 4)}, len(came)


@pytest.mark.parametrize(("p", "q"), [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25)])
def test_walks_respect_p_and_q(p, q):
    frequencies, n = _transition_frequencies(p, q)
    weights = {"0": 1 / p, "2": 1.0, "3": 1 / q, "4": 1 / q}
    total = sum(weights.values())
    assert n > 1000
    for node, weight in weights.items():
        assert frequencies[node] == pytest.approx(weight / total, abs=0.04), (node, frequencies)


def test_weighted_walks_follow_the_weights():
    graph = from_pairs("star", [("c", "a", 1.0), ("c", "b", 3.0)])
    walks = random_walks(adjacency(graph), WalkSettings(walks_per_node=100, walk_length=2, seed=1))
    for seed in range(2, 30):
        more = random_walks(adjacency(graph), WalkSettings(walks_per_node=100, walk_length=2, seed=seed))
        walks = np.concatenate([walks, more])
    seconds = walks[walks[:, 0] == graph.nodes.index("c"), 1]
    assert np.mean(seconds == graph.nodes.index("b")) == pytest.approx(0.75, abs=0.04)


def test_karate_club_communities_recovered_and_metadata():
    result = embed_graph(builtin_graph("karate"), GraphConfig(walks_per_node=10, walk_length=40, epochs=5, seed=1))
    assert result.evaluation["ari"] > 0.5
    auc = result.evaluation["link_auc"]
    assert set(auc) == {"cosine", "common_neighbours", "adamic_adar"} and all(0 <= v <= 1 for v in auc.values())
    space = result.space
    assert len(space) == 34 and space.shared
    assert {"degree", "club", "modularity_community"} <= set(space.metadata.columns)


def test_progress_and_cancel():
    seen = []

    def progress(fraction, message):
        seen.append(fraction)
        if fraction > 0.2:
            raise Cancelled

    with pytest.raises(Cancelled):
        embed_graph(builtin_graph("lesmis"), GraphConfig(evaluate=False), progress)
    assert seen == sorted(seen)


def test_uploads_are_private():
    graph = read_edge_list(b"a,b\nb,c\nc,d\nd,a\na,c\n", filename="mine.csv")
    result = embed_graph(graph, GraphConfig(evaluate=False, walks_per_node=2, walk_length=5, epochs=1))
    assert not result.space.shared
