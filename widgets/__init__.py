"""Notebook explorers: ipywidgets that update rnnviz figures in place as a slider moves.

Installed as ``rnnviz.widgets``. Widgets work from a model, a trace, or a saved trace.
"""
