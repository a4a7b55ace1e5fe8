"""The matplotlib painter: diagrams and value strips painted from views, shared by the slide figures and the explorers.

:mod:`rnnviz.figures` (Displays for slides) and :mod:`rnnviz.widgets` (explorers) both
draw with matplotlib; what they paint alike lives here, so neither imports the other.
"""
