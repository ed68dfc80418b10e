"""Reading graphs: `debugprint` (an indented tree), `pprint` (infix math), `to_dot` / `pydotprint` (pictures).

Each accepts a Variable, a list of Variables, a `FunctionGraph`, or a compiled
`Function` (whose optimized graph ``.fgraph`` is shown).
"""
from __future__ import annotations

import os
import shutil
import string
import sys
from typing import Dict, List, Optional, Sequence, TextIO, Tuple, Union

from symkeras.graph.basic import Constant, Shared, Variable, graph_inputs, io_toposort
from symkeras.graph.type import format_shape

Printable = Union[Variable, Sequence[Variable], object]

#: Elemwise scalar ops written infix by `pprint`
BINARY_OPERATORS = {
    "add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//", "mod": "%", "pow": "**",
    "eq": "==", "neq": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "logical_and": "&", "logical_or": "|",
}
UNARY_OPERATORS = {"neg": "-", "logical_not": "~"}
#: op classes written ``a @ b``
MATMUL_OPS = ("Dot", "Matmul")


def _roots(obj: Printable) -> Tuple[List[Variable], List[Variable], List[str]]:
    """``(outputs, inputs, notes)`` of anything printable; a note labels a root (an update's target)."""
    if isinstance(obj, Variable):
        return [obj], [], [""]
    fgraph = getattr(obj, "fgraph", obj)
    if hasattr(fgraph, "toposort") and hasattr(fgraph, "outputs"):
        outputs = list(fgraph.outputs)
        updated = list(getattr(obj, "updated_shared", []))
        notes = [""] * (len(outputs) - len(updated)) + [f"update of {s}" for s in updated]
        return outputs, list(fgraph.inputs), notes
    outputs = list(obj)
    if not all(isinstance(v, Variable) for v in outputs):
        raise TypeError(f"cannot print {type(obj).__name__}: give a Variable, a list of them, a FunctionGraph or a Function")
    return outputs, [], [""] * len(outputs)


def _leaf_text(var: Variable) -> str:
    """A leaf by name; an unnamed scalar constant by its value in its own dtype (``0.1``, not ``0.10000000149011612``)."""
    if isinstance(var, Constant) and not var.name and var.data.ndim == 0:
        return str(var.data[()])
    return repr(var)


def _type_text(var: Variable) -> str:
    return f"<{var.dtype} {format_shape(var.type.shape)}>"


def _node_label(var: Variable) -> str:
    """The op of `var`'s node, with ``.k`` for output k of a multi-output node."""
    node = var.owner
    return str(node.op) + (f".{var.index}" if len(node.outputs) > 1 else "")


def _ids():
    """Identifiers A, B, …, Z, AA, AB, …"""
    letters = string.ascii_uppercase
    n = 0
    while True:
        k, name = n, ""
        while True:
            name = letters[k % 26] + name
            k = k // 26 - 1
            if k < 0:
                break
        yield name
        n += 1


class _TreePrinter:
    """Depth-first printer that names each Apply and leaf once and prints each Apply's subtree once."""

    def __init__(self, print_type: bool):
        self.print_type = print_type
        self.lines: List[str] = []
        self._ids: Dict[object, str] = {}
        self._next = _ids()
        self._expanded = set()

    def _id(self, key) -> str:
        if key not in self._ids:
            self._ids[key] = next(self._next)
        return self._ids[key]

    def tree(self, var: Variable, first: str = "", rest: str = "", note: str = "") -> None:
        node = var.owner
        if node is None:
            kind = " shared" if isinstance(var, Shared) else ""
            self._line(first, f"{_leaf_text(var)} [id {self._id(var)}]", var, kind, note)
            return
        head = f"{_node_label(var)} [id {self._id(node)}]" + (f" '{var.name}'" if var.name else "")
        if node in self._expanded:
            self.lines.append(f"{first}{head} ***" + (f"  ({note})" if note else ""))
            return
        self._expanded.add(node)
        self._line(first, head, var, "", note)
        for i, inp in enumerate(node.inputs):
            last = i == len(node.inputs) - 1
            self.tree(inp, rest + ("└─ " if last else "├─ "), rest + ("   " if last else "│  "))

    def _line(self, prefix: str, head: str, var: Variable, kind: str, note: str) -> None:
        text = prefix + head + (f" {_type_text(var)}" if self.print_type else "") + kind
        self.lines.append(text + (f"  ({note})" if note else ""))


def debugprint(obj: Printable, file: Optional[TextIO] = None, print_type: bool = True) -> str:
    """Print the graph of `obj` as an indented tree (to `file`, default stdout) and return the text.

    One line per variable: the op (``.k`` for output k of a multi-output node), ``[id X]``
    naming its Apply node, the variable's name in quotes if it has one, and
    ``<dtype shape>``.  A node used again is printed once in full; later references
    show its line with ``***`` and no subtree.  Shared state is marked ``shared``.
    """
    outputs, _, notes = _roots(obj)
    printer = _TreePrinter(print_type)
    for out, note in zip(outputs, notes):
        printer.tree(out, note=note)
    text = "\n".join(printer.lines)
    print(text, file=sys.stdout if file is None else file)
    return text


def pprint(obj: Printable) -> str:
    """Infix math for each output of `obj`, one per line: ``tanh((x @ w) + b)``.

    Elementwise arithmetic, comparisons and logic, and ``Dot``/``Matmul`` (``@``) are
    written infix, parenthesized wherever nested in another infix operation; every
    other op as ``op(args)`` (``op.k(args)`` for output k of a multi-output op); leaves
    by name, unnamed scalar constants by value.
    """
    outputs, _, _ = _roots(obj)
    return "\n".join(_infix(v, nested=False) for v in outputs)


def _infix(var: Variable, nested: bool) -> str:
    """`var` as an expression; `nested` asks for parentheses around an infix operation."""
    from symkeras.ops.elemwise import Elemwise

    node = var.owner
    if node is None:
        return _leaf_text(var)
    op = node.op
    name = op.scalar_op.name if isinstance(op, Elemwise) else type(op).__name__
    symbol = BINARY_OPERATORS.get(name) if isinstance(op, Elemwise) else ("@" if name in MATMUL_OPS else None)
    if isinstance(op, Elemwise) and name in UNARY_OPERATORS:
        text = UNARY_OPERATORS[name] + _infix(node.inputs[0], nested=True)
    elif symbol is not None and len(node.inputs) == 2:
        text = f"{_infix(node.inputs[0], True)} {symbol} {_infix(node.inputs[1], True)}"
    else:
        label = str(op.scalar_op) if isinstance(op, Elemwise) else _node_label(var)
        return f"{label}({', '.join(_infix(i, nested=False) for i in node.inputs)})"
    return f"({text})" if nested else text


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _variable_style(var: Variable, inputs: List[Variable]) -> str:
    """Ellipses for variables: inputs green, shared state blue, constants grey and dashed."""
    if isinstance(var, Shared):
        return 'shape=ellipse, style=filled, fillcolor="#cfe2f3"'
    if isinstance(var, Constant):
        return 'shape=ellipse, style="filled,dashed", fillcolor="#eeeeee"'
    if var.owner is None or var in inputs:
        return 'shape=ellipse, style=filled, fillcolor="#d9ead3"'
    return "shape=ellipse"


def to_dot(obj: Printable, name: str = "symkeras") -> str:
    """Graphviz DOT source for the graph of `obj` (no dependencies).

    Apply nodes are boxes labelled with their op; variables are ellipses labelled with
    their name and type — inputs green, shared state blue, constants grey and dashed,
    outputs with a double border.  Edges into a node of several inputs carry the input
    position; edges out of a multi-output node carry the output position.
    """
    outputs, inputs, _ = _roots(obj)
    order = io_toposort(inputs, outputs)
    names: Dict[Variable, str] = {}
    lines = [f'digraph "{_dot_escape(name)}" {{', "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']

    def variable(var: Variable) -> str:
        if var not in names:
            names[var] = f"v{len(names)}"
            title = _leaf_text(var) if var.owner is None else (var.name or "")
            label = (f"{title}\n" if title else "") + f"{var.dtype} {format_shape(var.type.shape)}"
            extra = ", peripheries=2" if var in outputs else ""
            lines.append(f'  {names[var]} [label="{_dot_escape(label)}", {_variable_style(var, inputs)}{extra}];')
        return names[var]

    for leaf in graph_inputs(outputs):
        variable(leaf)
    for k, node in enumerate(order):
        lines.append(f'  n{k} [label="{_dot_escape(str(node.op))}", shape=box, style=filled, fillcolor="#fff2cc"];')
        for i, inp in enumerate(node.inputs):
            label = f' [label="{i}"]' if len(node.inputs) > 1 else ""
            lines.append(f"  {variable(inp)} -> n{k}{label};")
        for out in node.outputs:
            label = f' [label="{out.index}"]' if len(node.outputs) > 1 else ""
            lines.append(f"  n{k} -> {variable(out)}{label};")
    for out in outputs:
        variable(out)
    lines.append("}")
    return "\n".join(lines) + "\n"


def pydotprint(obj: Printable, path: str, format: Optional[str] = None) -> str:
    """Render the graph of `obj` to `path` through pydot and Graphviz; returns `path`.

    `format` defaults to the file's extension (``png`` without one); ``'dot'`` writes the
    DOT source and needs neither package.  Raises an ImportError naming what is missing.
    """
    fmt = format or os.path.splitext(path)[1].lstrip(".") or "png"
    source = to_dot(obj)
    if fmt == "dot":
        with open(path, "w") as fh:
            fh.write(source)
        return path
    try:
        import pydot
    except ImportError as exc:
        raise ImportError("pydotprint needs the 'pydot' package (pip install pydot) and Graphviz's 'dot' program") from exc
    if shutil.which("dot") is None:
        raise ImportError(
            "pydotprint needs Graphviz's 'dot' program on the PATH (apt install graphviz, or conda install graphviz); "
            "use format='dot' or to_dot() for the source alone"
        )
    (graph,) = pydot.graph_from_dot_data(source)
    graph.write(path, format=fmt)
    return path
