"""Diagram geometry as plain data: nodes, edges and labels, with no drawing library.

The matplotlib figures, the manim scenes and the widgets all paint these same
geometries, so a picture's layout is defined once, here.
"""

from rnnviz.diagrams.architecture import Stage, describe_model, stages_from_trace
from rnnviz.diagrams.cells import cell_diagram
from rnnviz.diagrams.geometry import Diagram, Edge, Label, Node
from rnnviz.diagrams.unrolled import shown_steps, unrolled_diagram

__all__ = [
    "Diagram",
    "Edge",
    "Label",
    "Node",
    "Stage",
    "cell_diagram",
    "describe_model",
    "shown_steps",
    "stages_from_trace",
    "unrolled_diagram",
]
