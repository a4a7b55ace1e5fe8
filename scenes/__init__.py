"""Lecture videos: manim scenes that paint rnnviz's diagram geometry with the values of a trace.

Installed as ``rnnviz.scenes``. Each scene reads a saved trace (``rnnviz render
<scene> --trace FILE``, or ``RNNVIZ_TRACE=FILE manim ...``) or records a small
seeded Keras model itself. Importing this package imports neither manim nor
TensorFlow; :data:`SCENES` names every scene and :func:`render_scene` renders one.
"""

from rnnviz.scenes.render import QUALITIES, SCENES, render_scene

__all__ = ["QUALITIES", "SCENES", "render_scene"]
