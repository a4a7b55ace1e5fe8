"""Slide figures: ``...Display`` classes that compute in ``from_*`` and draw in ``.plot(ax=...)``."""
