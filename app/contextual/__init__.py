"""Contextual word vectors: every occurrence of a word in some sentences becomes its own point
(occurrences.py), encoded by a small transformer loaded offline (model.py), and measured by how well
k-means on those points recovers the word's senses, next to a static space (senses.py)."""
