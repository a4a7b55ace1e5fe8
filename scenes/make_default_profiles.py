"""Write the gradient profiles the vanishing-gradients scene shows by default: SimpleRNN and LSTM, trained.

    python scenes/make_default_profiles.py      (about a minute on 2 cores)

Untrained, an LSTM's gradient fades faster than an orthogonally initialised
SimpleRNN's; the lesson is about what training makes of them. Both are trained
on the adding problem (:func:`rnnviz.figures.long_range.train_adding`: the sum of
two marked numbers up to 60 steps back) and profiled with
:func:`rnnviz.gradient_profile` on 8 test sequences. Training takes longer than a
scene may, so the two profiles ship with the scenes (``scenes/data/``, a few KB).
"""

from __future__ import annotations

from pathlib import Path

from rnnviz.scenes.gradients import DEFAULT_PROFILES

SEQUENCES = 8


def main():
    import rnnviz
    from rnnviz.figures.long_range import train_adding

    result = train_adding(cells=("SimpleRNN", "LSTM"), seed=0)
    for label, path in DEFAULT_PROFILES.items():
        profile = rnnviz.gradient_profile(result["models"][label], result["x_test"][:SEQUENCES])
        profile.extra["description"] = (
            f"32 units, trained on the adding problem (two numbers up to 60 steps back); {SEQUENCES} test sequences")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        print("wrote", profile.save(path))


if __name__ == "__main__":
    main()
