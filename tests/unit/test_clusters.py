import numpy as np
import pytest

from app.errors import InputError
from app.geometry.clusters import MAX_HDBSCAN_POINTS, NOISE, Clustering, cluster
from app.io.samples import load_glove, load_toy
from tests.conftest import make_space

GROUPS = ["fruit", "city", "animal"]
DIM = 8


def group_space(outliers: bool = False):
    """Three tight groups of 9 around the first three axes: the axis word itself is the centre
    (its neighbours sit symmetrically around it), so it must come first in the cluster's name."""
    axes = np.eye(DIM)
    words, vectors = [], []
    for g, name in enumerate(GROUPS):
        words.append(name)
        vectors.append(axes[g])
        for j in range(3, 7):
            for sign, tag in ((1, "p"), (-1, "m")):
                words.append(f"{name}_{j}{tag}")
                vectors.append(axes[g] + sign * 0.15 * axes[j])
    if outliers:
        words += ["odd", "odder"]
        vectors += [axes[7], -np.ones(DIM)]
    return make_space(words, np.array(vectors))


def groups_of(space, labels):
    """The partition as a set of frozensets of group names (independent of label numbers)."""
    found = {}
    for word, label in zip(space.words, labels, strict=True):
        found.setdefault(int(label), set()).add(word.split("_")[0])
    return found


def test_kmeans_recovers_the_groups_and_names_them_by_their_centre():
    space = group_space()
    result = cluster(space, "kmeans", k=3, seed=0)
    assert isinstance(result, Clustering)
    assert result.method == "kmeans"
    assert result.labels.shape == (len(space),)
    assert sorted(set(result.labels.tolist())) == [0, 1, 2]
    partition = groups_of(space, result.labels)
    assert sorted(map(sorted, partition.values())) == [["animal"], ["city"], ["fruit"]]
    for label, members in partition.items():
        (group,) = members
        name = result.names[label]
        assert name.startswith(f"{label}: {group}, ")
        assert len(name.split(": ", 1)[1].split(", ")) == 3
        assert all(word.startswith(group) for word in name.split(": ", 1)[1].split(", "))


def test_label_names_follow_the_labels():
    space = group_space()
    result = cluster(space, "kmeans", k=3)
    names = result.label_names()
    assert len(names) == len(space)
    assert names[space.index("city_4p")] == result.names[int(result.labels[space.index("city")])]


def test_label_words_sets_how_many_words_name_a_cluster():
    result = cluster(group_space(), "kmeans", k=3, label_words=1)
    assert sorted(name.split(": ")[1] for name in result.names.values()) == sorted(GROUPS)


def test_kmeans_same_seed_same_labels():
    glove = load_glove(400)
    first = cluster(glove, "kmeans", k=6, seed=3)
    again = cluster(glove, "kmeans", k=6, seed=3)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert first.names == again.names
    assert set(np.unique(first.labels).tolist()) == set(range(6))


def test_kmeans_clusters_by_direction_not_length():
    space = make_space(["a", "a_long", "b", "b_long"], [[1, 0.1], [50, 4], [0.1, 1], [4, 50]])
    labels = cluster(space, "kmeans", k=2).labels
    assert labels[0] == labels[1] != labels[2] == labels[3]


def test_toy_kmeans_separates_genders():
    toy = load_toy()
    labels = cluster(toy, "kmeans", k=3).labels
    label = {w: labels[toy.index(w)] for w in toy.words}
    assert label["king"] == label["man"] == label["prince"] == label["boy"]
    assert label["queen"] == label["woman"] == label["princess"] == label["girl"]
    assert label["king"] != label["queen"]
    assert label["paris"] == label["rome"]


def test_hdbscan_finds_the_groups_and_leaves_outliers_as_noise():
    space = group_space(outliers=True)
    result = cluster(space, "hdbscan", min_cluster_size=4)
    assert result.method == "hdbscan"
    assert result.labels[space.index("odd")] == NOISE
    assert result.labels[space.index("odder")] == NOISE
    assert result.names[NOISE] == "noise (no cluster)"
    clustered = [i for i, label in enumerate(result.labels) if label != NOISE]
    assert len(clustered) == 27
    partition = groups_of(space.subset(indices=clustered), result.labels[clustered])
    assert sorted(map(sorted, partition.values())) == [["animal"], ["city"], ["fruit"]]
    for label in partition:
        assert result.names[label].split(": ")[1].split(", ")[0] in GROUPS
    assert result.label_names()[space.index("odd")] == "noise (no cluster)"


@pytest.mark.parametrize(
    ("method", "kwargs", "fragment"),
    [
        ("kmeans", {"k": 1}, "k-means needs between 2 and 12 clusters for 12 points"),
        ("kmeans", {"k": 13}, "k-means needs between 2 and 12 clusters"),
        ("hdbscan", {"min_cluster_size": 1}, "minimum cluster size must be between 2 and 6 for 12 points"),
        ("hdbscan", {"min_cluster_size": 7}, "minimum cluster size must be between 2 and 6"),
        ("dbscan", {}, "unknown clustering 'dbscan'; choose kmeans or hdbscan"),
    ],
)
def test_bad_parameters(method, kwargs, fragment):
    with pytest.raises(InputError) as caught:
        cluster(load_toy(), method, **kwargs)
    assert fragment in str(caught.value)


def test_kmeans_at_most_100_clusters():
    space = make_space([f"w{i}" for i in range(150)], np.random.default_rng(0).normal(size=(150, 4)))
    with pytest.raises(InputError, match="between 2 and 100 clusters"):
        cluster(space, "kmeans", k=101)


def test_hdbscan_point_cap():
    n = MAX_HDBSCAN_POINTS + 1
    big = make_space([f"w{i}" for i in range(n)], np.zeros((n, 2)))
    with pytest.raises(InputError, match=f"HDBSCAN is limited to {MAX_HDBSCAN_POINTS:,} points"):
        cluster(big, "hdbscan")
