"""One description per cell kind: a new entry in rnnviz.kinds reaches every reader without touching them."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_new_cell_kind_reaches_the_palette_diagrams_scenes_render_and_explorers():
    """A made-up GRU variant, added to CELL_KINDS before anything else reads it (in a fresh process)."""
    script = textwrap.dedent("""
        from rnnviz.kinds import CELL_KINDS, CellKind, kind_of_class

        CELL_KINDS["my_gru"] = CellKind(
            "my_gru", "My GRU", states=("h",), gates=("update", "reset", "candidate"),
            gate_meanings={"update": "keep the old state"}, colour="#56B4E9", layer="mylib.layers:MyGRU", diagram="gru",
            equations="mylib.equations:MyGRUEquations")
        CELL_KINDS["my_mgu"] = CellKind(  # a gate name no kind of rnnviz's has
            "my_mgu", "My MGU", states=("h",), gates=("keep", "candidate"), gate_colours={"keep": "#117733"},
            layer="mylib.layers:MyMGU", diagram="gru", equations="mylib.equations:MyMGUEquations")

        from rnnviz.diagrams.architecture import RECURRENT_CLASSES
        from rnnviz.diagrams.cells import cell_diagram
        from rnnviz.palette import PALETTE
        from rnnviz.scenes import SCENES
        from rnnviz.scenes.gates import GATE_SCENES
        from rnnviz.widgets.gradients import KINDS

        assert PALETTE["my_gru"] == "#56B4E9"
        assert PALETTE["keep"] == "#117733" and PALETTE["candidate"] != "#117733"
        assert RECURRENT_CLASSES["MyGRU"] == RECURRENT_CLASSES["MyGRUCell"] == "my_gru" == kind_of_class("MyGRU")
        assert {node.data.get("gate") for node in cell_diagram("my_gru").nodes} >= {"update", "reset", "candidate"}
        entry = SCENES["my_gru"]
        assert (entry.name, entry.kinds) == ("MyGRUGatesScene", ("my_gru",))
        assert GATE_SCENES["my_gru"].__name__ == "MyGRUGatesScene" and GATE_SCENES["my_gru"].kind == "my_gru"
        import rnnviz.scenes.gates as gates
        assert getattr(gates, "MyGRUGatesScene") is GATE_SCENES["my_gru"]
        assert "my_gru" in KINDS
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "ok"
