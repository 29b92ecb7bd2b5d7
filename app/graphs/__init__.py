"""Graph embeddings: an edge list or a built-in graph, random walks (DeepWalk, node2vec), word2vec on
the walks, and how good the vectors are (link prediction, community recovery)."""
