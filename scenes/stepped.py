"""``SteppedScene``: a scene made of named steps, animated one manim section per step, or drawn as the still of one step.

A subclass says what its steps are (:meth:`SteppedScene.step_names`) and draws them two
ways from the same mobject builders:

- :meth:`SteppedScene.animate`, the video: an intro, then for every step
  ``self.begin_step(k)`` (a manim section named after the step), the animation into
  that step, and ``self.end_step()`` (the step's end state held on screen, so that the
  section's last frames show it: manim renders an animation's frames before its end, never
  the end itself);
- :meth:`SteppedScene.still`, the slide: the mobjects of the state at the end of step ``k``,
  built directly, with no animation before them.

``Scene(step=k)`` renders the still of step ``k``; ``Scene()`` the animation.
"""

from __future__ import annotations

from manim import Scene

from rnnviz.errors import InputError
from rnnviz.scenes.painter import THEME
from rnnviz.style import neutral

HOLD = 0.4  # seconds each step's end state stays on screen: the last frames of its section


class SteppedScene(Scene):
    """A scene of named steps. Subclasses give ``step_names()``, ``animate()`` and ``still(k)``.

    Parameters
    ----------
    step : int, optional
        Draw the still of this step (0-based, in the order of ``step_names()``) instead of
        animating every step. Checked when the scene is made.
    """

    def __init__(self, *, step: int | None = None, **kwargs):
        self._step_names = names = list(self.step_names())
        if step is not None and (isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(names)):
            shown = ", ".join(f"{k}: {name!r}" for k, name in list(enumerate(names))[:4])
            more = f", … {len(names) - 1}: {names[-1]!r}" if len(names) > 4 else ""
            raise InputError(f"--step: the {type(self).__name__} has {len(names)} steps ({shown}{more}); "
                             f"expected an integer from 0 to {len(names) - 1}, got {step!r}")
        self.still_step = step
        self._next_step = 0
        super().__init__(**kwargs)

    def step_names(self) -> list:
        """The name of every step, in order: each one a manim section's name."""
        raise NotImplementedError

    def animate(self):
        """The video: every step in order, each begun with ``begin_step(k)`` and ended with ``end_step()``."""
        raise NotImplementedError

    def still(self, step: int):
        """Add to the scene the mobjects of the state at the end of ``step``, built directly."""
        raise NotImplementedError

    def construct(self):
        self.camera.background_color = neutral("background", THEME)
        if self.still_step is not None:
            self.still(self.still_step)
            return
        self.animate()
        if self._next_step != len(self._step_names):
            raise RuntimeError(f"{type(self).__name__}.animate began {self._next_step} of its "
                               f"{len(self._step_names)} steps")

    def begin_step(self, step: int):
        """Start step ``step``'s section (steps begin in order, the first before anything is played)."""
        if step != self._next_step:
            raise RuntimeError(f"{type(self).__name__}: step {step} begun after step {self._next_step - 1}")
        self.next_section(self._step_names[step])
        self._next_step += 1

    def end_step(self, seconds: float = HOLD):
        """Hold the step's end state on screen: the last frames of its section."""
        self.wait(seconds)
