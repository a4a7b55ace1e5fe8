"""Write the gradient profiles the vanishing-gradients scene shows by default: SimpleRNN and LSTM, trained.

    python scenes/make_default_profiles.py      (seconds; no training)

Untrained, an LSTM's gradient fades faster than an orthogonally initialised
SimpleRNN's; the lesson is about what training makes of them. The profiles are
those of the SimpleRNN and the LSTM of the lesson ``memory`` (shipped, trained on
the adding problem: the sum of two marked numbers up to 100 steps back),
:func:`rnnviz.gradient_profile` on 8 of its held-out sequences; they ship with
the scenes (``scenes/data/``, a few KB).
"""

from __future__ import annotations

from pathlib import Path

from rnnviz.scenes.gradients import DEFAULT_PROFILES

SEQUENCES = 8


def main():
    import rnnviz
    from rnnviz import lessons

    inputs, _ = lessons.data("memory")
    for label, path in DEFAULT_PROFILES.items():
        profile = rnnviz.gradient_profile(lessons.model("memory", label), inputs[:SEQUENCES])
        profile.extra["description"] = (
            f"32 units, the lesson 'memory' (trained on the adding problem, two numbers up to 100 steps back); "
            f"{SEQUENCES} held-out sequences")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        print("wrote", profile.save(path))


if __name__ == "__main__":
    main()
