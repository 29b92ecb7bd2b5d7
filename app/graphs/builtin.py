"""Built-in graphs from networkx (bundled with it, nothing downloads): Zachary's karate club with its
two-club split, Les Misérables co-appearances, Davis's southern women (bipartite: women and events)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from app.errors import InputError
from app.graphs.edges import Graph, from_pairs


@dataclass(frozen=True)
class BuiltinGraph:
    title: str
    description: str
    make: Callable[[], Any]
    community_attribute: str | None = None
    community_name: str = "community"


def _karate() -> Any:
    import networkx as nx

    return nx.karate_club_graph()


def _lesmis() -> Any:
    import networkx as nx

    return nx.les_miserables_graph()


def _davis() -> Any:
    import networkx as nx

    return nx.davis_southern_women_graph()


BUILTIN_GRAPHS: dict[str, BuiltinGraph] = {
    "karate": BuiltinGraph(
        "Zachary's karate club",
        "34 members, 78 friendships; the club split in two (Mr Hi's and the Officer's): the known communities",
        _karate,
        community_attribute="club",
        community_name="club",
    ),
    "lesmis": BuiltinGraph(
        "Les Misérables",
        "77 characters, 254 weighted co-appearances in Victor Hugo's novel",
        _lesmis,
    ),
    "davis": BuiltinGraph(
        "Davis's southern women",
        "18 women and the 14 social events they attended (bipartite, 89 attendances)",
        _davis,
    ),
}


def builtin_graph(key: str) -> Graph:
    """A built-in graph as a shared ``Graph`` (with its known communities when it has them)."""
    if key not in BUILTIN_GRAPHS:
        raise InputError(f"unknown built-in graph {key!r}; choose one of {', '.join(BUILTIN_GRAPHS)}")
    spec = BUILTIN_GRAPHS[key]
    nx_graph = spec.make()
    pairs = [(str(a), str(b), float(data.get("weight", 1.0))) for a, b, data in nx_graph.edges(data=True)]
    if key == "karate":  # networkx stores how many activities two members shared; the club is about who, not how often
        pairs = [(a, b, 1.0) for a, b, _ in pairs]
    graph = from_pairs(spec.title, pairs, shared=True, what=spec.title)
    communities = None
    if spec.community_attribute is not None:
        attribute = dict(nx_graph.nodes(data=spec.community_attribute))
        values = {str(node): value for node, value in attribute.items()}
        communities = tuple(str(values[node]) for node in graph.nodes)
    extra = {}
    if key == "davis":  # the two sides are kinds of node, not communities to recover
        side = dict(nx_graph.nodes(data="bipartite"))
        extra["side"] = tuple("woman" if side[_original(nx_graph, node)] == 0 else "event" for node in graph.nodes)
    return replace(graph, communities=communities, community_name=spec.community_name, node_metadata=extra)


def _original(nx_graph: Any, name: str) -> Any:
    """The networkx node whose str() is ``name``."""
    return next(node for node in nx_graph.nodes if str(node) == name)
