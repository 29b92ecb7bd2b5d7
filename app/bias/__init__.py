"""Bias in an embedding space.

words.py (looking words up, unit-vector helpers) · directions.py (Direction and its Origin) ·
measures.py (projections, two axes, RIPA, DirectBias) · weat.py (WEAT, the ten tests' table,
cost) · presets.py (gender preset, WEAT tests, profession and set lists) · debias.py (hard
debiasing and the plan that follows from a direction's origin) · debias_check.py (before/after,
Gonen & Goldberg's check).

References: Bolukbasi et al. 2016; Caliskan, Bryson & Narayanan 2017; Ethayarajh, Duvenaud & Hirst
2019; Gonen & Goldberg 2019.
"""
