"""Lecture videos: manim scenes that paint rnnviz's diagram geometry with the values of a trace.

Installed as ``rnnviz.scenes``. Scenes read a saved trace (``rnnviz.load``), so
rendering needs no TensorFlow.
"""
