"""Views: what a picture shows, chosen once from a trace, with NumPy only.

A view holds the layer, sample and step values a picture draws, every strip's colour
scale (one rule, :mod:`rnnviz.views.scales`), its labels and its bad-value marks. The
slide figures (:mod:`rnnviz.figures` with :mod:`rnnviz.mpl`), the videos
(:mod:`rnnviz.scenes`) and the explorers (:mod:`rnnviz.widgets`) paint views; none of
them chooses numbers or colours of its own. Importing a view module imports neither
matplotlib, manim, ipywidgets nor TensorFlow.
"""
