"""Generate the source of one Numba module for a whole `FunctionGraph`.

The module holds the helpers its expressions call and one ``@njit`` entry point,
``run(inputs..., shared..., constants...)``, which runs every node in topological order.
Nodes emit source through code generators registered per op class (`register_codegen`).
In a large graph a node whose code loops or calls BLAS becomes a *kernel*: a module of
its own in the cache, named by the hash of its source, that the entry point calls.  Equal
kernels (three Dense layers' updates) compile once, and every later function, model or
process loads them from disk: a deeper MLP compiled after W1 takes 2 s instead of 9.
Trivial nodes (views, shapes, integer index arithmetic, 0-d arithmetic that IEEE rounds
exactly) stay inline; other floating-point arithmetic is always a kernel, so the entry point
computes exactly the same as Python (`entry.GlueFirst` runs it as Python while Numba compiles
it).  Small graphs stay one function (a kernel costs a fixed Numba compile of its own).
Everything a kernel reads is an argument (never a global), so the source — and the
cache key derived from it — does not depend on the values of weights or constants.
"""
from __future__ import annotations

import functools
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from symkeras.graph.basic import Apply, Constant, Op, Variable
from symkeras.graph.fgraph import FunctionGraph
from symkeras.graph.type import TensorType
from symkeras.ops.composite import Composite
from symkeras.ops.elemwise import Elemwise
from symkeras.ops.reduction import Reduce
from symkeras.ops.scalar import NUMBA_HELPERS

#: bump when generated code changes meaning, so stale cache entries are never used
CODEGEN_VERSION = 2

#: docstring of a generated module's ``prepare()``, which `cache.prepare` runs (importing the module does not)
PREPARE_DOC = "Compile, or load from Numba's disk cache, the runtime functions this module's code calls."

CodegenFn = Callable[["NodeContext"], None]
CODEGEN: Dict[type, CodegenFn] = {}


class CodegenError(NotImplementedError):
    """An op has no Numba code generator."""


def register_codegen(*op_classes: type):
    """Decorator: `fn(ctx)` writes the Numba source of nodes whose op is one of `op_classes`."""

    def decorate(fn: CodegenFn) -> CodegenFn:
        for cls in op_classes:
            CODEGEN[cls] = fn
        return fn

    return decorate


def codegen_for(node: Apply) -> CodegenFn:
    for cls in type(node.op).__mro__:
        if cls in CODEGEN:
            return CODEGEN[cls]
    raise CodegenError(f"the numba linker has no kernel for {node.op}; use mode='py' for this graph")


def dtype_expr(dtype: str) -> str:
    """The numpy dtype as written in generated source: ``np.float32``."""
    return "np.bool_" if dtype == "bool" else f"np.{np.dtype(dtype).name}"


def literal(value, dtype: str) -> str:
    """A scalar constant as a typed literal: ``np.float32(0.1)``."""
    value = np.asarray(value, dtype).item()
    if isinstance(value, float) and not np.isfinite(value):
        text = "np.nan" if np.isnan(value) else ("np.inf" if value > 0 else "-np.inf")
    else:
        text = repr(value)
    return f"{dtype_expr(dtype)}({text})"


class ModuleWriter:
    """Collects the lines of the entry point, the helpers it needs, and fresh names."""

    def __init__(self):
        self.lines: List[str] = []
        #: module-level helper name -> (source, whether Numba inlines it at each call)
        self.helpers: Dict[str, Tuple[str, bool]] = {}
        #: name -> runtime module (a module of the package with compiled functions) it is imported from
        self.imports: Dict[str, str] = {}
        #: statements of the module's ``prepare()``, run before any of its functions compiles or loads
        self.setup: List[str] = []
        #: module-level name -> cache key of each kernel module the function calls
        self.kernels: Dict[str, str] = {}
        #: module-level name -> a node the kernel computes (every node with that name runs the same source)
        self.kernel_nodes: Dict[str, Apply] = {}
        self.names: Dict[Variable, str] = {}
        self._counter = 0
        self.indent = 1

    def fresh(self, prefix: str = "t") -> str:
        """A new local name; the trailing underscore keeps it apart from the arguments (``i0``, ``s0``, ``c0``)."""
        self._counter += 1
        return f"{prefix}{self._counter}_"

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def need_helper(self, name: str, source: Optional[str] = None, inline: bool = True) -> None:
        if name not in self.helpers:
            self.helpers[name] = (source if source is not None else NUMBA_HELPERS[name], inline)


class NodeContext:
    """What a code generator sees: the node, the names of its inputs and outputs, the writer."""

    #: use the vectorizable float32 helpers (bit casts; the CUDA linker, reusing this, turns them off)
    fast_float32 = True

    def __init__(self, node: Apply, writer: ModuleWriter):
        self.node = node
        self.writer = writer
        self.inputs = [writer.names[v] for v in node.inputs]
        self.outputs = []
        for out in node.outputs:
            name = writer.fresh("v")
            writer.names[out] = name
            self.outputs.append(name)

    def emit(self, line: str) -> None:
        self.writer.emit(line)

    def fresh(self, prefix: str = "t") -> str:
        return self.writer.fresh(prefix)

    def helper(self, name: str, source: Optional[str] = None, inline: bool = True) -> None:
        """Add the module-level function `name` (from `source`, or the scalar helpers) once.

        With `inline`, Numba inlines the helper into each caller's IR (Philox, whose loop must
        vectorize); otherwise it is compiled once and called (LLVM still inlines what is small),
        which keeps compile time linear in the number of call sites and makes the node a kernel.
        """
        self.writer.need_helper(name, source, inline)

    def runtime_function(self, module: str, name: str, setup: Optional[str] = None) -> None:
        """Import the compiled function `name` of runtime module `module` (one of `cache.RUNTIME_MODULES`),
        compiled once per process and signature for every kernel that calls it; the call `setup` (a
        function of that module, by name, with its arguments) goes into the generated module's ``prepare()``."""
        self.writer.imports[name] = module
        if setup is not None:
            self.writer.imports[setup.split("(")[0]] = module
            if setup not in self.writer.setup:
                self.writer.setup.append(setup)

    def scalar_literal(self, var: Variable) -> Optional[str]:
        """A literal for a 0-d constant (inlined into loops), else None."""
        if isinstance(var, Constant) and var.ndim == 0:
            return literal(var.data, var.dtype)
        return None

    def fail(self, message: str) -> str:
        """A raise statement naming this node's op (the host re-runs the graph in "py" mode for details)."""
        return raise_statement(self.node.op, message)

    def check(self, conditions: Sequence[str], message: str) -> None:
        """Raise `message` (naming the op) where any of `conditions` holds (`emit_check`)."""
        emit_check(self.writer, self.node.op, conditions, message)

    def block(self):
        return _Indent(self.writer)


def raise_statement(op: Op, message: str) -> str:
    """A raise statement naming `op` (the host re-runs the graph in "py" mode for the shapes)."""
    return f"raise ValueError({(str(op) + ': ' + message)!r})"


def emit_check(writer: ModuleWriter, op: Op, conditions: Sequence[str], message: str) -> None:
    """Raise `message` (naming `op`) where any of `conditions` holds, from one raise statement.

    Numba compiles every raise site into an exit that releases each live array, so a site
    costs 10-50 ms of compilation in a large kernel: the LSTM's backward loop compiled in
    4.4 s with a raise per checked dimension, 3.4 s with one per node (the same source otherwise).
    """
    if conditions:
        writer.emit(f"if {' or '.join(conditions)}:")
        with _Indent(writer):
            writer.emit(raise_statement(op, message))


class _Indent:
    def __init__(self, writer: ModuleWriter):
        self.writer = writer

    def __enter__(self):
        self.writer.indent += 1

    def __exit__(self, *exc):
        self.writer.indent -= 1


def argument_lists(fgraph: FunctionGraph):
    """The entry point's arguments: explicit inputs, shared variables, constants (in a stable order)."""
    first_use = _first_use_order(fgraph)
    constants = sorted((v for v in fgraph.leaves() if isinstance(v, Constant)), key=first_use)
    shared = sorted(fgraph.shared_variables(), key=first_use)
    return list(fgraph.inputs), shared, constants


def _first_use_order(fgraph: FunctionGraph):
    """Order leaves by where the toposort first reads them: structural, so stable across processes."""
    position = {}
    for k, node in enumerate(fgraph.toposort()):
        for j, v in enumerate(node.inputs):
            position.setdefault(v, (k, j))

    for j, v in enumerate(fgraph.outputs):
        position.setdefault(v, (len(position) + 1, j))

    def key(v: Variable):
        return position.get(v, (len(position) + 2, 0))

    return key


ENTRY_DECORATOR = "@njit(cache=True, nogil=True, error_model='numpy')"

#: what an elementwise op raises where its operands' shapes disagree
SHAPE_MISMATCH = "input shapes do not match (and their types do not broadcast)"

#: graphs of at least this many nodes call kernel modules; smaller ones compile faster as one function
KERNEL_SPLIT_MIN_NODES = 24


def _write_function(writer: ModuleWriter, name: str, params: Sequence[Variable], param_names: Sequence[str],
                    nodes: Sequence[Apply], results: Sequence[Variable], kernels: bool = False) -> List[str]:
    """The source lines of one ``@njit`` function computing `results` from `params` through `nodes`.

    With `kernels`, nodes that loop or call BLAS are calls to kernel modules (`_emit_kernel_call`).
    """
    writer.lines, writer.indent = [], 1
    for var, pname in zip(params, param_names):
        writer.names[var] = pname
    for node in nodes:
        writer.emit(f"# {node.op}")
        if not (kernels and _emit_kernel_call(writer, node)):
            codegen_for(node)(NodeContext(node, writer))
    writer.emit(f"return ({''.join(writer.names[r] + ', ' for r in results)})")
    return [ENTRY_DECORATOR, f"def {name}({', '.join(param_names)}):"] + writer.lines + [""]


#: scalar ops IEEE 754 rounds exactly, so numpy (the glue run as Python) and compiled code agree to the bit
EXACT_SCALAR_OPS = frozenset({"add", "sub", "mul", "true_div", "neg", "cast"})


def _exact_scalar_arithmetic(node: Apply) -> bool:
    """Whether `node` is 0-d elementwise arithmetic of exactly rounded ops only (casts to floats only):
    the same bits computed by numpy or by compiled code, not worth a kernel's compilation."""
    op = node.op
    if not isinstance(op, Elemwise) or any(out.ndim for out in node.outputs):
        return False
    steps = [step[0] for step in op.scalar_op.program] if isinstance(op.scalar_op, Composite) else [op.scalar_op]
    return all(s.name in EXACT_SCALAR_OPS and (s.name != "cast" or np.dtype(s.dtype).kind == "f") for s in steps)


def _is_heavy(node: Apply, kernel: ModuleWriter) -> bool:
    """True for code that needs a kernel of its own: it loops, calls BLAS or a compiled helper or runtime
    function (a convolution's loops), or does floating-point arithmetic other than `_exact_scalar_arithmetic`."""
    if isinstance(node.op, Elemwise) and any(out.type.is_float for out in node.outputs):
        return not _exact_scalar_arithmetic(node)
    if kernel.imports or any(not inline for _, inline in kernel.helpers.values()):
        return True
    return any(line.lstrip().startswith("for ") or "gemm(" in line or "np.dot(" in line for line in kernel.lines)


def _emit_kernel_call(writer: ModuleWriter, node: Apply) -> bool:
    """Write `node` as a kernel module (if `_is_heavy`) and a call to it; False if it stays inline.

    An elementwise node whose arrays all have the output's shape (0-d values aside) calls the
    kernel of its one-dimensional twin on the flattened arrays (`_emit_flat_call`): one kernel
    then serves that operation at every rank (an optimizer's update of matrices, vectors and 4-d
    kernels alike), and a model compiles fewer of them.  Likewise a reduction that keeps its
    reduced axes calls the kernel of the one that drops them and reshapes the result.
    """
    twin = _flat_twin(node) or _dropping_twin(node)
    target = node if twin is None else twin
    name = _kernel_module(writer, target, list(dict.fromkeys(target.inputs)))
    if name is None:
        return False
    inputs = list(dict.fromkeys(node.inputs))
    args = [writer.names[v] for v in inputs]
    outputs = [writer.fresh("v") for _ in node.outputs]
    writer.names.update(zip(node.outputs, outputs))
    if twin is None:
        writer.emit(f"{''.join(o + ', ' for o in outputs)}= {name}({', '.join(args)})")
    elif isinstance(node.op, Reduce):
        kept = [f"{args[0]}.shape[{k}]" if k not in node.op.axes else "1" for k in range(node.inputs[0].ndim)]
        writer.emit(f"{outputs[0]} = {name}({args[0]})[0].reshape(({''.join(d + ', ' for d in kept)}))")
    else:
        _emit_flat_call(writer, node, name, inputs, args, outputs[0])
    return True


def _dropping_twin(node: Apply) -> Optional[Apply]:
    """A reduction that keeps its reduced axes (as ones) as the same reduction dropping them; else None."""
    op = node.op
    return Reduce(op.kind, op.axes).make_node(*node.inputs) if isinstance(op, Reduce) and op.keepdims else None


def _emit_flat_call(writer: ModuleWriter, node: Apply, name: str, inputs: List[Variable], args: List[str],
                    out: str) -> None:
    """Call the vector kernel `name` of elementwise `node` on its arrays flattened, and shape the result.

    The arrays must have one shape (the types rule out broadcasting between them).  A
    non-contiguous array is flattened into a copy; an overwritten input that is one gets the
    result copied back, so in-place semantics hold whatever the layout.
    """
    full = [arg for v, arg in zip(inputs, args) if v.ndim]
    emit_check(writer, node.op, [f"{a}.shape != {full[0]}.shape" for a in full[1:]], SHAPE_MISMATCH)
    flat = writer.fresh("f")
    flat_args = [f"np.ascontiguousarray({arg}).reshape(-1)" if v.ndim else arg for v, arg in zip(inputs, args)]
    writer.emit(f"{flat}, = {name}({', '.join(flat_args)})")
    writer.emit(f"{out} = {flat}.reshape({full[0]}.shape)")
    for (overwritten,) in node.op.destroy_map.values():
        target = args[inputs.index(node.inputs[overwritten])]
        writer.imports["copy_into"] = "symkeras.graph.linker.numba.copies"
        writer.emit(f"if not {target}.flags.c_contiguous:")
        with _Indent(writer):
            writer.emit(f"copy_into({target}, {out})")
            writer.emit(f"{out} = {target}")


def _kernel_module(writer: ModuleWriter, node: Apply, inputs: List[Variable]) -> Optional[str]:
    """The module-level name of the kernel computing `node` from `inputs` (generated and loaded once), or
    None where the node is not `_is_heavy` and stays inline."""
    from symkeras.graph.linker.numba.cache import load_module, module_key

    kernel = ModuleWriter()
    lines = _write_function(kernel, "kernel", inputs, [f"a{k}" for k in range(len(inputs))], [node], node.outputs)
    if not _is_heavy(node, kernel):
        return None
    source = _assemble(kernel, lines)
    load_module(source)
    key = module_key(source)
    name = f"kernel_{key[:16]}"
    writer.kernels[name] = key
    writer.kernel_nodes.setdefault(name, node)
    return name


def _flat_twin(node: Apply) -> Optional[Apply]:
    """`node` on vectors: the same elementwise op with each array input typed as a vector of unknown
    length (0-d inputs kept), where every array input has the output's rank and broadcast pattern and the
    output is not a vector without a broadcast axis (whose kernel is the twin's already); else None."""
    if not isinstance(node.op, Elemwise):
        return None
    out = node.outputs[0]
    pattern = [d == 1 for d in out.type.shape]
    arrays = [v for v in node.inputs if v.ndim]
    if out.ndim == 0 or pattern == [False] or any([d == 1 for d in v.type.shape] != pattern for v in arrays):
        return None
    vectors = {v: Variable(TensorType(v.dtype, (None,))) for v in arrays}
    return node.op.make_node(*[vectors.get(v, v) for v in node.inputs])


#: the first lines of every generated module
MODULE_HEADER = (
    f"# generated by symkeras (codegen version {CODEGEN_VERSION}); do not edit",
    "import math",
    "import numpy as np",
    "from numba import njit",
    "from symkeras.graph.linker.numba.intrinsics import f32_from_bits",
    "from symkeras.graph.linker.numba.cblas import set_blas_threads",
    "from symkeras.graph.linker.numba.cache import load_kernel",
)


def _helper_definitions(helpers: Dict[str, Tuple[str, bool]]) -> List[str]:
    lines = []
    for source, inline in helpers.values():
        lines += ["@njit(inline='always', cache=True)" if inline else "@njit(cache=True)", source.rstrip(), ""]
    return lines


#: helpers (name -> source) that kernels call from one shared module: the scalar helpers and those the code
#: generators add with `share_helper` when they are imported
SHARED_HELPERS: Dict[str, str] = dict(NUMBA_HELPERS)


def share_helper(name: str, source: str) -> None:
    """Define helper `name` in the shared module (`shared_helpers_key`) for every kernel calling it (not inline)."""
    if _shared_helpers_source.cache_info().currsize:
        raise RuntimeError(f"helper {name} is shared too late: the shared module is written already")
    SHARED_HELPERS[name] = source


@functools.lru_cache(maxsize=1)
def _shared_helpers_source() -> str:
    helpers = {name: (source, False) for name, source in SHARED_HELPERS.items()}
    return "\n".join(list(MODULE_HEADER) + [""] + _helper_definitions(helpers)).rstrip() + "\n"


def shared_helpers_key() -> str:
    """The cache key of the module defining every shared helper (`SHARED_HELPERS`), written on first use.

    Kernels call the helpers of that one module: each compiles once per process (and once per
    machine, from Numba's disk cache) instead of once in every kernel using it (0.15-0.25 s each
    for the scalar helpers, 0.09 s for a convolution's window geometry).
    """
    from symkeras.graph.linker.numba.cache import load_module

    return load_module(_shared_helpers_source()).__name__.rsplit("_", 1)[-1]


def _assemble(writer: ModuleWriter, functions: List[str]) -> str:
    header = list(MODULE_HEADER)
    header += [f"from {module} import {name}" for name, module in sorted(writer.imports.items())] + [""]
    if writer.setup:
        header += ["def prepare():", f'    """{PREPARE_DOC}"""'] + [f"    {line}" for line in writer.setup] + [""]
    header += [f"{name} = load_kernel({key!r})" for name, key in writer.kernels.items()]
    shared = [name for name, (source, inline) in writer.helpers.items() if not inline and SHARED_HELPERS.get(name) == source]
    if shared:
        key = shared_helpers_key()
        header += [f"{name} = load_kernel({key!r}, {name!r})" for name in shared]
    own = {name: helper for name, helper in writer.helpers.items() if name not in shared}
    return "\n".join(header + _helper_definitions(own) + functions).rstrip() + "\n"


def generate_module(fgraph: FunctionGraph) -> Tuple[str, Dict[str, Apply]]:
    """The module for `fgraph` — its helpers and one entry point ``run(inputs, shared, constants)`` — and
    the kernels the entry point calls, by module-level name, each with a node it computes."""
    writer = ModuleWriter()
    params = [v for group in argument_lists(fgraph) for v in group]
    names = [f"{prefix}{k}" for prefix, group in zip("isc", argument_lists(fgraph)) for k in range(len(group))]
    nodes = fgraph.toposort()
    split = len(nodes) >= KERNEL_SPLIT_MIN_NODES
    source = _assemble(writer, _write_function(writer, "run", params, names, nodes, fgraph.outputs, split))
    return source, writer.kernel_nodes


def generate_node_module(nodes: Sequence[Apply]) -> str:
    """A module with one function ``node_<k>(inputs of node k)`` per node, for per-node profiling."""
    writer = ModuleWriter()
    functions: List[str] = []
    for k, node in enumerate(nodes):
        writer.names = {}
        names = [f"a{j}" for j in range(len(node.inputs))]
        functions += _write_function(writer, f"node_{k}", node.inputs, names, [node], node.outputs)
    return _assemble(writer, functions)


def index_expr(name: str, indices: Sequence[str]) -> str:
    """``a[i0, i1]``, or ``a[()]`` for a 0-d array."""
    return f"{name}[{', '.join(indices)}]" if indices else f"{name}[()]"
