"""debugprint, pprint, to_dot and pydotprint on small graphs, asserted on their text."""
import io
import sys

import numpy as np
import pytest

from symkeras import graph as G
from symkeras.graph import printing
from symkeras.graph.printing import debugprint, pprint, pydotprint, to_dot
from symkeras.ops import elemwise as E
from symkeras.ops.random import RandomStream


@pytest.fixture
def layer():
    """``y = tanh(x @ w + b) * (x @ w) * 2``: a shared subtree, a shared variable, a constant."""
    x = G.matrix("x")
    w = G.shared(np.ones((3, 2), "float32"), name="w")
    b = G.vector("b", shape=(2,))
    h = x @ w
    return x, w, b, h, E.tanh(h + b) * h * 2.0


DEBUGPRINT = """\
Elemwise{mul} [id A] <float32 (None, 2)>
├─ Elemwise{mul} [id B] <float32 (None, 2)>
│  ├─ Elemwise{tanh} [id C] <float32 (None, 2)>
│  │  └─ Elemwise{add} [id D] <float32 (None, 2)>
│  │     ├─ Dot [id E] <float32 (None, 2)>
│  │     │  ├─ x [id F] <float32 (None, None)>
│  │     │  └─ w [id G] <float32 (3, 2)> shared
│  │     └─ b [id H] <float32 (2,)>
│  └─ Dot [id E] ***
└─ 2.0 [id I] <float32 ()>"""


def test_debugprint_tree(layer):
    out = io.StringIO()
    text = debugprint(layer[-1], file=out)
    assert text == DEBUGPRINT
    assert out.getvalue() == DEBUGPRINT + "\n"


def test_debugprint_prints_to_stdout_by_default(layer, capsys):
    debugprint(layer[-1])
    assert capsys.readouterr().out == DEBUGPRINT + "\n"


def test_debugprint_without_types_and_names(layer):
    x, w, b, h, y = layer
    h.name = "h"
    text = debugprint([y, h], file=io.StringIO(), print_type=False)
    lines = text.splitlines()
    assert lines[4] == "│  │     ├─ Dot [id E] 'h'"
    assert lines[6] == "│  │     │  └─ w [id G] shared"
    assert lines[-1] == "Dot [id E] 'h' ***"  # the second output is the subtree printed above


def test_debugprint_multi_output_node():
    sample = RandomStream(0).uniform((2, 3))
    text = debugprint(sample, file=io.StringIO())
    assert text.splitlines()[:2] == [
        "UniformRV{float32, 2}.1 [id A] <float32 (2, 3)>",
        "├─ rng_state_0 [id B] <uint64 (2,)> shared",
    ]


def test_debugprint_function_shows_the_optimized_graph_and_updates(layer):
    x, w, b, h, y = layer
    f = G.function([x, b], y, updates=[(w, w - 0.5)])
    text = debugprint(f, file=io.StringIO())
    lines = text.splitlines()
    update_root = [line for line in lines if line.endswith("(update of w)")]
    assert len(update_root) == 1 and not update_root[0].startswith(("├", "└", "│"))
    assert "w [id" in text and "shared" in text


def test_debugprint_of_a_fgraph_matches_its_function(layer):
    x, w, b, h, y = layer
    f = G.function([x, b], y)
    assert debugprint(f, file=io.StringIO()) == debugprint(f.fgraph, file=io.StringIO())


def test_debugprint_rejects_other_objects():
    with pytest.raises(TypeError, match="cannot print"):
        debugprint([1, 2], file=io.StringIO())


def test_pprint_infix(layer):
    x, w, b, h, y = layer
    assert pprint(E.tanh(x @ w + b)) == "tanh((x @ w) + b)"
    assert pprint(y) == "(tanh((x @ w) + b) * (x @ w)) * 2.0"
    assert pprint(-(x + 1.0) ** 2 > x) == "(-((x + 1.0) ** 2.0)) > x"
    assert pprint((-x) ** 2) == "(-x) ** 2.0"
    assert pprint(E.cast(x, "float64")) == "cast{float64}(x)"
    total = x.sum()
    assert pprint(E.maximum(x, 0.0) / total) == f"maximum(x, 0.0) / {total.owner.op}(x)"


def test_pprint_multi_output_and_lists(layer):
    x = layer[0]
    sample = RandomStream(0).normal((2,), 1.0, 3.0)
    assert pprint(sample) == "NormalRV{float32, 1}.1(rng_state_0, 2, 1.0, 3.0)"
    assert pprint([x + 1.0, E.exp(x)]) == "x + 1.0\nexp(x)"


DOT = """\
digraph "symkeras" {
  rankdir=TB;
  node [fontname="Helvetica", fontsize=10];
  v0 [label="x\\nfloat32 (None, None)", shape=ellipse, style=filled, fillcolor="#d9ead3"];
  v1 [label="w\\nfloat32 (3, 2)", shape=ellipse, style=filled, fillcolor="#cfe2f3"];
  v2 [label="1.0\\nfloat32 ()", shape=ellipse, style="filled,dashed", fillcolor="#eeeeee"];
  n0 [label="Dot", shape=box, style=filled, fillcolor="#fff2cc"];
  v0 -> n0 [label="0"];
  v1 -> n0 [label="1"];
  v3 [label="float32 (None, 2)", shape=ellipse];
  n0 -> v3;
  n1 [label="Elemwise{add}", shape=box, style=filled, fillcolor="#fff2cc"];
  v3 -> n1 [label="0"];
  v2 -> n1 [label="1"];
  v4 [label="out\\nfloat32 (None, 2)", shape=ellipse, peripheries=2];
  n1 -> v4;
}
"""


def test_to_dot(layer):
    x, w = layer[:2]
    y = x @ w + 1.0
    y.name = "out"
    assert to_dot(y) == DOT


def test_to_dot_multi_output_edges_and_escaping():
    s = RandomStream(0)
    sample = s.uniform((2,))
    sample.name = 'say "hi"'
    text = to_dot(sample)
    assert '-> v' in text and '[label="1"]' in text  # the sample is output 1 of the node
    assert 'say \\"hi\\"' in text


def test_pydotprint_writes_dot_source_without_dependencies(layer, tmp_path):
    path = pydotprint(layer[-1], str(tmp_path / "graph.dot"))
    assert open(path).read() == to_dot(layer[-1])


def test_pydotprint_names_a_missing_pydot(layer, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="'pydot' package"):
        pydotprint(layer[-1], str(tmp_path / "graph.png"))


def test_pydotprint_names_a_missing_dot_program(layer, tmp_path, monkeypatch):
    pytest.importorskip("pydot")
    monkeypatch.setattr(printing.shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match="Graphviz's 'dot' program"):
        pydotprint(layer[-1], str(tmp_path / "graph.svg"))


def test_pydotprint_renders_where_graphviz_is_installed(layer, tmp_path):
    pytest.importorskip("pydot")
    if printing.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    path = pydotprint(layer[-1], str(tmp_path / "graph.svg"))
    assert "<svg" in open(path).read()
