"""Rewrites of `Scan` loops: move work out of the time loop, and stop carrying what nobody reads.

* ``scan_merge_extended``: a loop over the same inputs as another that computes all of
  its outputs and more (the forward loop a gradient extends to collect its products)
  serves both, so the forward runs once.
* ``scan_push_out_sequences``: inner computations that read only sequence slices,
  non-sequences and constants (``x_t @ W + b`` of an RNN, the dropout of ``x_t``) are
  computed for every step at once before the loop — one big GEMM instead of one small
  one per step (Keras's "implementation 2" trick, for any cell) — and enter the loop as
  new sequences.  Inputs the loop no longer reads are dropped.
* ``scan_push_out_accumulations``: a carried sum ``acc + x_t.T @ g_t`` (a weight's
  gradient in backpropagation through time) or of a vector becomes one product (sum)
  after the loop over the collected factors.
* ``scan_push_out_output_work``: a collected output's private tail of products by loop
  invariants or reductions (an input's gradient ``g_t @ W.T``, a bias gradient's
  ``sum(g_t, axis=0)``) runs after the loop.
* ``scan_merge_outputs``: a collected output that is a collected state's new value (an
  LSTM's ``h``) is read from the state's collection, one that another collected output
  collects already (a gate's gradient, a factor of two weight gradients) from that one;
  collected outputs nobody reads go.
* ``scan_drop_dead_states``: a state nobody reads outside whose value feeds only itself
  (the gradient of a dropout mask) goes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from symkeras.graph.basic import Apply, Constant, Variable, ancestors
from symkeras.graph.fgraph import clone_graph
from symkeras.graph.rewrite.engine import register
from symkeras.graph.type import TensorType
from symkeras.ops import shape as shape_ops
from symkeras.ops.blas import Dot
from symkeras.ops.elemwise import Elemwise
from symkeras.ops.reduction import Reduce
from symkeras.ops.reduction import sum as reduce_sum
from symkeras.ops.scan import Scan
from symkeras.ops.shape import DimShuffle

#: an inner variable's value outside the loop, and whether it has a leading time axis
Outer = Tuple[Variable, bool]


def _pad_axes(value: Variable, batched: bool, ndim: int, target: int) -> Variable:
    """`value` (an inner variable of `ndim` axes, outside: time first if `batched`) with broadcastable axes
    added after the time axis so that it has ``target`` inner axes, for a numpy-broadcasting elementwise op."""
    if batched:
        pattern = (0,) + ("x",) * (target - ndim) + tuple(range(1, ndim + 1))
    else:
        pattern = ("x",) * (target - ndim + 1) + tuple(range(ndim))
    return value if list(pattern) == list(range(value.ndim)) else DimShuffle(value.ndim, pattern)(value)


def _vectorize(node: Apply, inputs: Sequence[Outer]) -> Optional[List[Variable]]:
    """The outputs of `node` for every step at once (time first), given its inputs outside; None if unsupported."""
    op = node.op
    if isinstance(op, Elemwise):
        target = node.outputs[0].ndim
        padded = [_pad_axes(v, b, x.ndim, target) for (v, b), x in zip(inputs, node.inputs)]
        return Elemwise(op.scalar_op)(*padded).owner.outputs
    if isinstance(op, DimShuffle):
        (value, _), = inputs
        return [DimShuffle(op.input_ndim + 1, (0,) + tuple(p if p == "x" else p + 1 for p in op.pattern))(value)]
    if isinstance(op, Reduce):
        (value, batched), = inputs
        return [Reduce(op.kind, tuple(a + 1 for a in op.axes), op.keepdims)(value)] if batched else None
    if isinstance(op, Dot):
        (a, a_batched), (b, b_batched) = inputs
        if b_batched or node.inputs[0].ndim == node.inputs[1].ndim == 1:
            return None
        if node.inputs[0].ndim == 1:  # (time, k) @ (k, n)
            return [Dot()(a, b)]
        steps, rows, width = shape_ops.shape_list(a)
        product = Dot()(shape_ops.reshape(a, [-1, width]), b)
        return [shape_ops.reshape(product, [steps, rows] + shape_ops.shape_list(product)[1:])]
    return None


def _outer_values(op: Scan, node: Apply) -> Dict[Variable, Outer]:
    """Every inner variable computable before the loop, mapped to its value outside (time first where batched).

    Sequences are indexed by time in either direction, so a backward loop's work on the
    forward's inputs builds the same nodes as the forward loop's own, which merging shares.
    """
    seq_ph, _, nonseq_ph = op.split_inputs(op.fgraph.inputs)
    seqs, _, nonseqs = op.split_inputs(node.inputs)
    known: Dict[Variable, Outer] = {ph: (v, True) for ph, v in zip(seq_ph, seqs)}
    known.update((ph, (v, False)) for ph, v in zip(nonseq_ph, nonseqs))
    for inner in op.fgraph.toposort():
        if inner.op.destroy_map or not all(v in known or isinstance(v, Constant) for v in inner.inputs):
            continue
        inputs = [known.get(v, (v, False)) for v in inner.inputs]
        batched = any(b for _, b in inputs)
        if not batched:  # loop-invariant: the same op on the outer values
            outs = inner.op.make_node(*[v for v, _ in inputs]).outputs
        else:
            outs = _vectorize(inner, inputs)
        if outs is not None:
            known.update((o, (v, batched)) for o, v in zip(inner.outputs, outs))
    return known


def _extends(big: Apply, small: Apply) -> bool:
    """Whether the scan `big` runs `small`'s loop on the same inputs and computes its outputs first, then more."""
    a, b = big.op, small.op
    if big is small or big.inputs != small.inputs or len(a.fgraph.outputs) < len(b.fgraph.outputs):
        return False
    if (a.n_seqs, a.n_states, a.collect, a.n_steps, a.backwards) != (b.n_seqs, b.n_states, b.collect, b.n_steps,
                                                                      b.backwards):
        return False
    prefix = Scan(a.fgraph.inputs, a.fgraph.outputs[:len(b.fgraph.outputs)], a.n_seqs, a.n_states, a.collect,
                  a.n_steps, a.backwards)
    return prefix.signature == b.signature


@register("canonicalize", Scan, name="scan_merge_extended")
def merge_extended_loop(fgraph, node):
    """Read the outputs of `node` from a loop over the same inputs that computes them too (or the reverse)."""
    first = node.inputs[0] if node.inputs else None
    clients = fgraph.clients(first) if first is not None else []
    others = dict.fromkeys(c for c, _ in clients if isinstance(c, Apply) and isinstance(c.op, Scan))
    for other in others:
        if _extends(other, node):
            return dict(zip(node.outputs, other.outputs))
        if _extends(node, other):
            return dict(zip(other.outputs, node.outputs))
    return None


@register("canonicalize", Scan, name="scan_push_out_sequences")
def push_out_sequence_work(fgraph, node):
    """Compute the loop's sequence-only work before the loop, for all steps at once (see the module docstring)."""
    op: Scan = node.op
    inner = op.fgraph
    known = _outer_values(op, node)
    readers = {v for n in inner.apply_nodes if any(x not in known for x in n.outputs) for v in n.inputs}
    readers.update(inner.outputs)
    while True:
        frontier = [v for v in known if v.owner is not None and known[v][1] and v in readers]
        # a transposition is no work: it stays in the loop (where a weight gradient's ``dot(x_t.T, g)`` keeps
        # the pattern `scan_push_out_accumulations` looks for) and its input is carried in instead
        layout = [v for v in frontier if isinstance(v.owner.op, DimShuffle)]
        if not layout:
            break
        for v in layout:
            del known[v]
            readers.update(v.owner.inputs)
    if not frontier:
        return None
    new_ph = [Variable(TensorType(v.dtype, v.type.shape), name=f"{v.name or 'pushed'}[t]") for v in frontier]
    outputs = clone_graph(list(inner.inputs) + frontier, inner.outputs, dict(zip(frontier, new_ph)))
    loop = Loop.of(node)
    loop.seqs += [(ph, known[v][0]) for ph, v in zip(new_ph, frontier)]
    loop.states = [(ph, init, new, keep) for (ph, init, _, keep), new in zip(loop.states, outputs)]
    loop.outs = outputs[len(loop.states):]
    new_states, new_outs = loop.build()
    return new_states + new_outs


@dataclass
class Loop:
    """A scan node taken apart, to be edited and rebuilt: inner placeholders paired with their outer inputs.

    ``states`` holds ``(placeholder, initial value, new value, collect)``; ``outs`` the
    collected-only inner outputs; ``seqs`` and ``nonseqs`` ``(placeholder, outer value)``.
    """

    seqs: List[Tuple[Variable, Variable]]
    states: List[Tuple[Variable, Variable, Variable, bool]]
    nonseqs: List[Tuple[Variable, Variable]]
    outs: List[Variable]
    n_steps: Optional[int]
    backwards: bool

    @classmethod
    def of(cls, node: Apply) -> "Loop":
        op: Scan = node.op
        seq_ph, state_ph, nonseq_ph = op.split_inputs(op.fgraph.inputs)
        seqs, inits, nonseqs = op.split_inputs(node.inputs)
        new_values, outs = op.split_outputs(op.fgraph.outputs)
        return cls(list(zip(seq_ph, seqs)), list(zip(state_ph, inits, new_values, op.collect)),
                   list(zip(nonseq_ph, nonseqs)), outs, op.n_steps, op.backwards)

    def build(self) -> Tuple[List[Variable], List[Variable]]:
        """The new scan's (state outputs, collected outputs); inputs the loop no longer reads are dropped."""
        inner_outputs = [s[2] for s in self.states] + self.outs
        used = set(ancestors(inner_outputs))
        seqs = [(ph, v) for ph, v in self.seqs if ph in used] or self.seqs[:1]  # one sequence counts the steps
        nonseqs = [(ph, v) for ph, v in self.nonseqs if ph in used]
        placeholders = [ph for ph, _ in seqs] + [s[0] for s in self.states] + [ph for ph, _ in nonseqs]
        op = Scan(placeholders, inner_outputs, len(seqs), len(self.states), [s[3] for s in self.states],
                  self.n_steps, self.backwards)
        outputs = op.make_node(*[v for _, v in seqs], *[s[1] for s in self.states], *[v for _, v in nonseqs]).outputs
        return op.split_outputs(outputs)

    def rebuild(self, node: Apply, kept_states: Sequence[int], kept_outs: Sequence[int],
                extra_outs: Sequence[Variable] = ()) -> Tuple[Dict[Variable, Variable], List[Variable]]:
        """Build the loop keeping the states and collected outputs at these indices, collecting `extra_outs` too.

        Returns the replacements of `node`'s kept outputs, and the new outputs of `extra_outs`.
        """
        states_out, outs_out = node.op.split_outputs(node.outputs)
        self.states = [self.states[j] for j in kept_states]
        self.outs = [self.outs[j] for j in kept_outs] + list(extra_outs)
        new_states, new_outs = self.build()
        replacements = {states_out[j]: new_states[k] for k, j in enumerate(kept_states)}
        replacements.update((outs_out[j], new_outs[k]) for k, j in enumerate(kept_outs))
        return replacements, new_outs[len(kept_outs):]


def _only_reader_is(fgraph_nodes, var: Variable, reader: Apply) -> bool:
    return all(node is reader for node in fgraph_nodes if var in node.inputs)


@register("canonicalize", Scan, name="scan_merge_outputs")
def merge_collected_outputs(fgraph, node):
    """Read a collected output from the state or the earlier collected output collecting the same value;
    drop collected outputs nobody reads."""
    loop = Loop.of(node)
    states_out, outs_out = node.op.split_outputs(node.outputs)
    collected_states = {s[2]: j for j, s in enumerate(loop.states) if s[3]}
    same_as_state = {j: collected_states[y] for j, y in enumerate(loop.outs) if y in collected_states}
    first_out: Dict[Variable, int] = {}
    same_as_out = {}
    for j, y in enumerate(loop.outs):
        if j not in same_as_state and fgraph.clients(outs_out[j]):
            if y in first_out:
                same_as_out[j] = first_out[y]
            else:
                first_out[y] = j
    kept = list(first_out.values())
    if len(kept) == len(loop.outs):
        return None
    replacements, _ = loop.rebuild(node, range(len(loop.states)), kept)
    replacements.update((outs_out[j], replacements[states_out[i]]) for j, i in same_as_state.items())
    replacements.update((outs_out[j], replacements[outs_out[i]]) for j, i in same_as_out.items())
    return replacements


@register("canonicalize", Scan, name="scan_drop_dead_states")
def drop_dead_states(fgraph, node):
    """Drop a state nobody reads outside whose value feeds nothing but its own next value (unused gradients)."""
    loop = Loop.of(node)
    states_out, _ = node.op.split_outputs(node.outputs)
    live = []
    for j, (ph, _, new, _) in enumerate(loop.states):
        others = [s[2] for k, s in enumerate(loop.states) if k != j] + loop.outs
        if fgraph.clients(states_out[j]) or ph in set(ancestors(others)):
            live.append(j)
    if len(live) == len(loop.states):
        return None
    return loop.rebuild(node, live, range(len(loop.outs)))[0]


def _accumulated(ph: Variable, new: Variable, inner) -> Optional[Variable]:
    """`delta` when ``new == ph + delta`` and `ph` is read by nothing else (a carried sum); else None."""
    node = new.owner
    if node is None or not isinstance(node.op, Elemwise) or node.op.scalar_op.name != "add" or len(node.inputs) != 2:
        return None
    if ph not in node.inputs or ph in inner.outputs or not _only_reader_is(inner.apply_nodes, ph, node):
        return None
    if inner.outputs.count(new) > 1 or any(new in n.inputs for n in inner.apply_nodes):
        return None  # the running sum is read within the step
    delta = node.inputs[1] if node.inputs[0] is ph else node.inputs[0]
    if delta.type.shape != new.type.shape or ph in set(ancestors([delta])):
        return None
    return delta


def _transposed_product(delta: Variable) -> Optional[Tuple[Variable, Variable]]:
    """``(a, b)`` when ``delta == dot(a.T, b)`` with matrices a, b (a weight's gradient in a step)."""
    node = delta.owner
    if node is None or not isinstance(node.op, Dot) or delta.ndim != 2:
        return None
    left = node.inputs[0].owner
    if left is None or not isinstance(left.op, DimShuffle) or left.op.pattern != (1, 0):
        return None
    return left.inputs[0], node.inputs[1]


@register("canonicalize", Scan, name="scan_push_out_accumulations")
def push_out_accumulations(fgraph, node):
    """A carried sum of ``dot(a_t.T, b_t)`` (or of a small vector) becomes one product after the loop.

    The loop collects ``a_t`` and ``b_t`` (a sequence is used as it is) instead of adding a
    small product at every step; after the loop, ``init + dot(A.T, B)`` over the
    ``(steps * rows)`` axis does the whole sum as one GEMM.  A vector's sum (a bias
    gradient) is collected and summed.
    """
    loop = Loop.of(node)
    op: Scan = node.op
    states_out, outs_out = op.split_outputs(node.outputs)
    seq_of = {ph: v for ph, v in loop.seqs}
    other_inputs = {ph for ph, _, _, _ in loop.states} | {ph for ph, _ in loop.nonseqs}
    plans = {}
    for j, (ph, _, new, collect) in enumerate(loop.states):
        delta = None if collect else _accumulated(ph, new, op.fgraph)
        if delta is None:
            continue
        factors = _transposed_product(delta) or ((delta,) if delta.ndim <= 1 else ())
        # each factor must change with the step and be computed in it (or be a sequence slice)
        if factors and not any(v in other_inputs or v.owner is None and v not in seq_of for v in factors):
            plans[j] = factors
    if not plans:
        return None
    collected = list(dict.fromkeys(v for factors in plans.values() for v in factors if v not in seq_of))
    kept = [j for j in range(len(loop.states)) if j not in plans]
    replacements, new_outs = loop.rebuild(node, kept, range(len(loop.outs)), collected)
    per_step = dict(seq_of)
    per_step.update(zip(collected, new_outs))
    for j, factors in plans.items():
        init = node.inputs[op.n_seqs + j]
        replacements[states_out[j]] = init + _summed(*[per_step[v] for v in factors])
    return replacements


def _summed(a: Variable, b: Optional[Variable] = None) -> Variable:
    """``sum_t a[t]``, or ``sum_t a[t].T @ b[t]`` as one product over the merged step and row axes."""
    if b is None:
        return reduce_sum(a, axis=0)
    rows_a = shape_ops.reshape(a, [-1, shape_ops.shape_list(a)[-1]])
    rows_b = shape_ops.reshape(b, [-1, shape_ops.shape_list(b)[-1]])
    return Dot()(DimShuffle(2, (1, 0))(rows_a), rows_b)


def _vectorizable(node: Apply, known: Dict[Variable, Outer]) -> bool:
    """Whether `_vectorize` handles `node` (a product needs a loop-invariant right operand)."""
    if isinstance(node.op, (Elemwise, DimShuffle, Reduce)):
        return not node.op.destroy_map
    return (isinstance(node.op, Dot) and node.inputs[1] in known and not known[node.inputs[1]][1]
            and not node.inputs[0].ndim == node.inputs[1].ndim == 1)


def _output_tail(y: Variable, inner, known: Dict[Variable, Outer]) -> List[Apply]:
    """The vectorizable nodes that compute only the collected output `y` (its private tail), or [].

    A value the step itself reads (a product the forward loop collects for its gradient)
    has no private tail: the loop computes it anyway.
    """
    readers: Dict[Variable, List[Apply]] = {}
    for n in inner.apply_nodes:
        for v in n.inputs:
            readers.setdefault(v, []).append(n)
    if readers.get(y):
        return []
    members, stack = set(), [y.owner]
    while stack:
        n = stack.pop()
        if n in members or not _vectorizable(n, known):
            continue
        private = all(r in members for o in n.outputs for r in readers.get(o, [])) and \
            not any(o in inner.outputs for o in n.outputs if o is not y)
        if n is not y.owner and not private:
            continue
        members.add(n)
        stack += [v.owner for v in n.inputs if v.owner is not None and v not in known]
    return [n for n in inner.toposort() if n in members]


@register("canonicalize", Scan, name="scan_push_out_output_work")
def push_out_output_work(fgraph, node):
    """A collected output's private tail of products by loop invariants (``g_t @ W.T``, an input's gradient)
    or reductions runs after the loop on the collected values it starts from: one big GEMM (or reduction)
    instead of one per step."""
    op: Scan = node.op
    inner = op.fgraph
    loop = Loop.of(node)
    known = _outer_values(op, node)
    tails = {}
    for j, y in enumerate(loop.outs):
        if y.owner is not None and y not in known and inner.outputs.count(y) == 1:
            tail = _output_tail(y, inner, known)
            if any(isinstance(n.op, (Dot, Reduce)) for n in tail):
                tails[j] = tail
    if not tails:
        return None
    made = {o for tail in tails.values() for n in tail for o in n.outputs}
    starts = list(dict.fromkeys(v for tail in tails.values() for n in tail for v in n.inputs
                                if v not in made and v not in known and not isinstance(v, Constant)))
    _, outs_out = op.split_outputs(node.outputs)
    ys = {j: loop.outs[j] for j in tails}
    kept = [j for j in range(len(loop.outs)) if j not in tails]
    replacements, new_outs = loop.rebuild(node, range(len(loop.states)), kept, starts)
    values = dict(known)
    values.update((v, (collected, True)) for v, collected in zip(starts, new_outs))
    for j, tail in tails.items():
        for n in tail:
            outs = _vectorize(n, [values.get(v, (v, False)) for v in n.inputs])
            values.update((o, (v, True)) for o, v in zip(n.outputs, outs))
        replacements[outs_out[j]] = values[ys[j]][0]
    return replacements
