"""`scan`: a loop as one op holding an inner graph, in the spirit of Theano's scan.

``scan(fn, sequences, outputs_info, non_sequences)`` calls `fn` once on symbolic
placeholders — a slice of each sequence (iterated over axis 0), the previous value of
each recurrent state, the non-sequences — and wraps the graph it returns in a `Scan`
node.  Each ``outputs_info`` entry says what an output of `fn` is:

* an initial value (or ``dict(initial=x0)``): a state, fed back at the next step and
  collected at every step; ``dict(initial=x0, collect=False)`` carries it only;
* ``None``: an output collected at every step and not fed back.

Variables that `fn` reads from outside (weights captured by a closure, shared
variables) become implicit non-sequences, so gradients reach them.  The gradient of a
`Scan` is another `Scan` running backwards in time (backpropagation through time): it
reads the per-step states the forward scan collected instead of recomputing them, and
sums the gradients of the non-sequences over the steps in carried accumulators.

The inner graph is optimized once, when first run (``fast_run`` without the in-place
phase); "py" runs it step by step with the reference linker, and the Numba linker
writes the whole loop, inner step included, into the generated entry point.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras.graph.basic import Apply, Constant, Op, Variable, as_tensor, io_toposort
from symkeras.graph.fgraph import FunctionGraph, clone_graph
from symkeras.graph.type import TensorType, format_shape
from symkeras.ops import elemwise as E
from symkeras.ops import shape as shape_ops
from symkeras.ops.blas import Dot
from symkeras.ops.conv import Conv

TensorLike = Union[Variable, np.ndarray, float, int]


class Scan(Op):
    """A loop over `n_steps` (or the sequences' length) running an inner graph at each step.

    Inner inputs: one slice per sequence, the previous value of each state, the
    non-sequences.  Inner outputs: the new value of each state, then the outputs that
    are only collected.  Outer inputs: the sequences (time first), the initial states,
    the non-sequences.  Outer outputs: per state, its values after every step
    (``collect[j]``) or only its final value; then each collected output, time first.
    A `backwards` loop runs its steps from the last time index to the first, reading
    and collecting at each step's own index (backpropagation through time does, on
    the forward loop's arrays as they are: no reversed copies).
    """

    __props__ = ("signature", "n_seqs", "n_states", "collect", "n_steps", "backwards")

    def __init__(self, inner_inputs: Sequence[Variable], inner_outputs: Sequence[Variable], n_seqs: int,
                 n_states: int, collect: Sequence[bool], n_steps: Optional[int] = None, backwards: bool = False):
        self.fgraph = FunctionGraph(inner_inputs, inner_outputs)
        self.n_seqs, self.n_states, self.collect, self.n_steps = n_seqs, n_states, tuple(collect), n_steps
        self.backwards = backwards
        self.n_nonseqs = len(inner_inputs) - n_seqs - n_states
        self.n_outs = len(inner_outputs) - n_states
        self.signature = graph_signature(self.fgraph)
        self._optimized: Optional[FunctionGraph] = None
        self._step = None

    def __str__(self) -> str:
        return (f"Scan{{{'backwards, ' if self.backwards else ''}seqs={self.n_seqs}, states={self.n_states}, "
                f"outs={self.n_outs}, nonseqs={self.n_nonseqs}, nodes={len(self.fgraph.apply_nodes)}}}")

    __repr__ = __str__

    # -- the inner graph ------------------------------------------------------------------------
    @property
    def optimized(self) -> FunctionGraph:
        """The inner graph after the optimizer (built once): what "py" and "numba" run."""
        if self._optimized is None:
            from symkeras.graph.rewrite import optimize

            inner = FunctionGraph(self.fgraph.inputs, self.fgraph.outputs)
            optimize(inner, "fast_run", exclude=["inplace"])
            self._optimized = inner
        return self._optimized

    def split_inputs(self, values: Sequence) -> Tuple[list, list, list]:
        """(sequences, initial states, non-sequences) of an input list, outer or inner."""
        s, k = self.n_seqs, self.n_seqs + self.n_states
        return list(values[:s]), list(values[s:k]), list(values[k:])

    def split_outputs(self, values: Sequence) -> Tuple[list, list]:
        """(states, collected outputs) of an output list, outer or inner."""
        return list(values[: self.n_states]), list(values[self.n_states:])

    # -- Op interface -------------------------------------------------------------------------------
    def make_node(self, *inputs) -> Apply:
        inputs = [as_tensor(v) for v in inputs]
        inner = self.fgraph.inputs
        if len(inputs) != len(inner):
            raise ValueError(f"scan: expected {len(inner)} inputs, got {len(inputs)}")
        seqs, _, _ = self.split_inputs(inputs)
        for k, seq in enumerate(seqs):
            if seq.ndim == 0:
                raise ValueError(f"scan: sequence {k} must have a time axis first, got a scalar")
        for k, (outer, var) in enumerate(zip(inputs, inner)):
            shape = outer.type.shape[1:] if k < self.n_seqs else outer.type.shape
            _check_fits(f"input {k}", var.type, outer.dtype, shape)
        steps = time_length(seqs, self.n_steps)
        inner_states, inner_outs = self.split_outputs(self.fgraph.outputs)
        types = []
        for j, (new, prev) in enumerate(zip(inner_states, self.split_inputs(inner)[1])):
            shape = _merge_shapes(prev.type.shape, new.type.shape)
            types.append(TensorType(prev.dtype, (steps,) + shape if self.collect[j] else shape))
        types += [TensorType(y.dtype, (steps,) + y.type.shape) for y in inner_outs]
        return Apply(self, inputs, types)

    def perform(self, node: Apply, inputs: List[np.ndarray]) -> List[np.ndarray]:
        seqs, states, nonseqs = self.split_inputs(inputs)
        steps = run_length(seqs, self.n_steps)
        step = self._step_thunk()
        history: List[List[np.ndarray]] = [[] for _ in range(self.n_states + self.n_outs)]
        for t in time_indices(steps, self.backwards):
            results = step([s[t] for s in seqs] + states + nonseqs)
            new_states = results[: self.n_states]
            for j, (new, prev) in enumerate(zip(new_states, states)):
                if new.shape != prev.shape:
                    raise ValueError(f"scan: state {j} changed shape from {prev.shape} to {new.shape} at step {t}")
            states = new_states
            for record, value in zip(history, results):
                record.append(value)
        collected = [np.stack(h[::-1] if self.backwards else h) for h in history]
        # a carried-only state may be an input passed through: copy it, as the compiled loop does
        outs = [collected[j] if keep else states[j].copy() for j, keep in enumerate(self.collect)]
        return outs + collected[self.n_states:]

    def _step_thunk(self):
        if self._step is None:
            from symkeras.graph.linker.py import py_linker

            self._step = py_linker(self.optimized, n_outputs=len(self.optimized.outputs))
        return self._step

    def L_op(self, inputs, outputs, output_grads):
        """Backpropagation through time, as a `Scan` running the steps in the opposite order (`backward_scan`)."""
        return backward_scan(self, inputs, outputs, output_grads)


# -- shapes and signatures --------------------------------------------------------------------------
def time_indices(steps: int, backwards: bool) -> range:
    """The time indices of `steps` steps in the order a loop runs them (last first when `backwards`)."""
    return range(steps - 1, -1, -1) if backwards else range(steps)


def graph_signature(fgraph: FunctionGraph) -> tuple:
    """A hashable structure equal for structurally equal graphs: input types, nodes by op and inputs, outputs."""
    refs: Dict[Variable, tuple] = {v: ("in", k) for k, v in enumerate(fgraph.inputs)}

    def ref(v: Variable) -> tuple:
        return refs[v] if v in refs else ("const", v.signature())

    items = [tuple(v.type for v in fgraph.inputs)]
    for k, node in enumerate(fgraph.toposort()):
        items.append((node.op, tuple(ref(v) for v in node.inputs)))
        refs.update((o, ("node", k, j)) for j, o in enumerate(node.outputs))
    items.append(tuple(ref(o) for o in fgraph.outputs))
    return tuple(items)


def _check_fits(what: str, want: TensorType, dtype: str, shape: tuple) -> None:
    if dtype != want.dtype or len(shape) != want.ndim or any(
            a is not None and b is not None and a != b for a, b in zip(want.shape, shape)):
        raise ValueError(f"scan: {what} has dtype {dtype} and (per step) shape {format_shape(shape)}, "
                         f"but the inner graph expects {want.dtype} {format_shape(want.shape)}")


def _merge_shapes(a: tuple, b: tuple) -> tuple:
    return tuple(x if x is not None else y for x, y in zip(a, b))


def time_length(sequences: Sequence[Variable], n_steps: Optional[int]) -> Optional[int]:
    """The static number of steps, checking that sequences and `n_steps` agree where known."""
    known = {s.type.shape[0] for s in sequences if s.type.shape[0] is not None}
    if n_steps is not None:
        known.add(n_steps)
    if len(known) > 1:
        shapes = ", ".join(format_shape(s.type.shape) for s in sequences)
        raise ValueError(f"scan: the sequences ({shapes}) and n_steps={n_steps} disagree on the number of steps")
    if not sequences and n_steps is None:
        raise ValueError("scan: give sequences or n_steps")
    return known.pop() if known else None


def run_length(sequences: Sequence[np.ndarray], n_steps: Optional[int]) -> int:
    """The number of steps at run time; sequences of different lengths are an error."""
    lengths = {len(s) for s in sequences} | ({n_steps} if n_steps is not None else set())
    if len(lengths) != 1:
        raise ValueError(f"scan: sequences of lengths {[len(s) for s in sequences]} (n_steps={n_steps}) "
                         f"do not agree on the number of steps")
    steps = lengths.pop()
    if steps < 1:
        raise ValueError("scan: needs at least one step, got sequences of length 0")
    return steps


# -- the public function ------------------------------------------------------------------------------
def scan(fn: Callable[..., Union[Variable, Sequence[Variable]]], sequences=None, outputs_info=None,
         non_sequences=None, n_steps: Optional[int] = None, go_backwards: bool = False,
         mask: Optional[TensorLike] = None) -> Tuple[List[Variable], List[Variable]]:
    """Run ``fn(*sequence slices, *previous states, *non_sequences)`` over time; return ``(outputs, final_states)``.

    Arguments:
        fn: builds one step from symbolic placeholders; returns a variable or a list,
            one per ``outputs_info`` entry (any number when ``outputs_info`` is None).
        sequences: tensors iterated over their first (time) axis, all of one length.
        outputs_info: per output of `fn`, an initial value (a state, carried and
            collected), ``dict(initial=x0, collect=False)`` (carried only), or
            ``None`` (collected only).
        non_sequences: tensors passed unchanged to every step.
        n_steps: the number of steps (an int): needed without sequences, checked against them otherwise.
        go_backwards: iterate from the last step to the first; outputs are collected
            in the order the steps run (Keras' convention).
        mask: a ``(time, batch)`` or ``(time, batch, 1)`` tensor; where it is 0, every
            state keeps its previous value and each collected output repeats its
            previous value (zeros before the first step), as Keras' ``K.rnn`` does.

    Returns:
        ``outputs``: the collected outputs (time first), in ``outputs_info`` order;
        ``final_states``: the last value of every state, in ``outputs_info`` order.
    """
    outputs, finals = time_indexed_scan(fn, sequences, outputs_info, non_sequences, n_steps, go_backwards, mask)
    return ([y[::-1] for y in outputs] if go_backwards else outputs), finals


def time_indexed_scan(fn: Callable[..., Union[Variable, Sequence[Variable]]], sequences=None, outputs_info=None,
                      non_sequences=None, n_steps: Optional[int] = None, backwards: bool = False,
                      mask: Optional[TensorLike] = None) -> Tuple[List[Variable], List[Variable]]:
    """`scan`, with a `backwards` loop's outputs collected at each step's time index rather than in run order."""
    sequences = [as_tensor(s) for s in _as_list(sequences)]
    non_sequences = [as_tensor(v) for v in _as_list(non_sequences)]
    for k, seq in enumerate(sequences):
        if seq.ndim == 0:
            raise ValueError(f"scan: sequence {k} has shape {format_shape(seq.type.shape)}; sequences need a "
                             f"time axis first (shape (time, ...))")
    if mask is not None:
        mask = _checked_mask(as_tensor(mask), sequences)
        sequences = sequences + [mask]
    time_length(sequences, n_steps)
    entries = None if outputs_info is None else [_entry(e) for e in _as_list(outputs_info)]
    inits = [] if entries is None else [e[0] for e in entries if e is not None]

    seq_ph = [Variable(TensorType(s.dtype, s.type.shape[1:]), name=f"{s.name or 'seq'}[t]") for s in sequences]
    state_ph = [Variable(v.type, name=f"{v.name or 'state'}[t-1]") for v in inits]
    nonseq_ph = [Variable(v.type, name=v.name) for v in non_sequences]
    user_seq_ph = seq_ph[:-1] if mask is not None else seq_ph
    results = fn(*user_seq_ph, *state_ph, *nonseq_ph)
    results = [as_tensor(r) for r in (results if isinstance(results, (list, tuple)) else [results])]
    if entries is None:
        entries = [None] * len(results)
    if len(results) != len(entries):
        raise ValueError(f"scan: fn returned {len(results)} outputs, but outputs_info has {len(entries)} entries")
    new_states = [r for r, e in zip(results, entries) if e is not None]
    outs = [r for r, e in zip(results, entries) if e is None]
    for j, (new, prev) in enumerate(zip(new_states, state_ph)):
        _check_state(j, new, prev)
    collect = [e[1] for e in entries if e is not None]

    if mask is not None:
        first_values = [s[-1 if backwards else 0] for s in sequences] + inits + non_sequences
        extra_ph, extra_inits = _outputs_as_states(seq_ph + state_ph + nonseq_ph, first_values, outs)
        new_states = [masked_update(seq_ph[-1], new, prev) for new, prev in zip(new_states + outs, state_ph + extra_ph)]
        state_ph, inits, outs, collect = state_ph + extra_ph, inits + extra_inits, [], collect + [True] * len(outs)
    placeholders = seq_ph + state_ph + nonseq_ph
    outer = sequences + inits + non_sequences
    inner_outputs = new_states + outs
    captured = captured_variables(placeholders, inner_outputs)
    captured_ph = [Variable(v.type, name=v.name) for v in captured]
    inner_outputs = clone_graph(placeholders + captured, inner_outputs, dict(zip(captured, captured_ph)))
    op = Scan(placeholders + captured_ph, inner_outputs, len(sequences), len(state_ph), collect, n_steps, backwards)
    node_outputs = op.make_node(*outer, *captured).outputs
    states, collected = op.split_outputs(node_outputs)
    return _user_results(entries, states, collected, collect, backwards)


def _as_list(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _entry(e) -> Optional[Tuple[Variable, bool]]:
    """An ``outputs_info`` entry as ``(initial value, collect)``, or None for a collected-only output."""
    if e is None:
        return None
    if isinstance(e, dict):
        unknown = set(e) - {"initial", "collect"}
        if unknown or "initial" not in e:
            raise ValueError(f"scan: an outputs_info dict needs 'initial' (and optionally 'collect'), "
                             f"got keys {sorted(e)}")
        return as_tensor(e["initial"]), bool(e.get("collect", True))
    return as_tensor(e), True


def _check_state(j: int, new: Variable, prev: Variable) -> None:
    """A state's new value must have its initial value's dtype and shape."""
    a, b = prev.type, new.type
    if a.dtype != b.dtype or a.ndim != b.ndim or any(x is not None and y is not None and x != y
                                                     for x, y in zip(a.shape, b.shape)):
        raise ValueError(f"scan: fn returned a new value of {b.dtype} {format_shape(b.shape)} for state {j}, "
                         f"whose initial value is {a.dtype} {format_shape(a.shape)}; they must match")


def _checked_mask(mask: Variable, sequences: Sequence[Variable]) -> Variable:
    """The mask as booleans, shape (time, batch) or (time, batch, 1)."""
    if mask.ndim not in (2, 3) or (mask.ndim == 3 and mask.type.shape[2] != 1):
        raise ValueError(f"scan: the mask must have shape (time, batch) or (time, batch, 1), "
                         f"got {format_shape(mask.type.shape)}")
    if not sequences:
        raise ValueError("scan: a mask needs sequences to run along")
    return mask if mask.dtype == "bool" else E.neq(mask, 0)


def _outputs_as_states(placeholders: List[Variable], first_values: List[Variable],
                       outs: List[Variable]) -> Tuple[List[Variable], List[Variable]]:
    """Placeholders and initial zeros that carry collected-only outputs, which repeat their last value under a mask.

    The zeros take their shape from the step applied to the first slices (as Keras
    does); the optimizer reduces that to the shapes it reads.
    """
    first = clone_graph(placeholders, outs, dict(zip(placeholders, first_values)))
    return [Variable(y.type, name="output[t-1]") for y in outs], [E.zeros_like(y0) for y0 in first]


def masked_update(mask_t: Variable, new: Variable, prev: Variable) -> Variable:
    """``where(mask_t, new, prev)`` with the (batch,) or (batch, 1) mask broadcast over the state's axes."""
    if new.ndim == 0:
        raise ValueError("scan: with a mask, every state and output needs a batch axis first")
    pattern = (0,) + ("x",) * (new.ndim - 1)
    return E.where(shape_ops.dimshuffle(mask_t, pattern), new, prev)


def captured_variables(placeholders: Sequence[Variable], outputs: Sequence[Variable]) -> List[Variable]:
    """Variables the step reads from outside (not computed from the placeholders, not constants), in first-use order."""
    inner = set(placeholders)
    captured: Dict[Variable, None] = {}
    for node in io_toposort(placeholders, outputs):
        if any(v in inner for v in node.inputs):
            inner.update(node.outputs)
    for node in io_toposort(placeholders, outputs):
        if node.outputs[0] in inner:
            captured.update((v, None) for v in node.inputs if v not in inner and not isinstance(v, Constant))
    captured.update((v, None) for v in outputs if v not in inner and not isinstance(v, Constant))
    return list(captured)


def _user_results(entries, states, collected, collect, backwards: bool) -> Tuple[List[Variable], List[Variable]]:
    """Map the node's outputs back to ``outputs_info`` order: collected outputs and final states (a collected
    state's value after the loop's last step: its first row in a `backwards` loop)."""
    n_user = sum(e is not None for e in entries)
    # under a mask, collected-only outputs are carried as states after the user's
    plain_outputs = iter(list(collected) + list(states[n_user:]))
    outputs, finals, j = [], [], 0
    for e in entries:
        if e is None:
            outputs.append(next(plain_outputs))
            continue
        if collect[j]:
            outputs.append(states[j])
            finals.append(states[j][0 if backwards else -1])
        else:
            finals.append(states[j])
        j += 1
    return outputs, finals


# -- backpropagation through time -------------------------------------------------------------------
def backward_scan(op: Scan, inputs: List[Variable], outputs: List[Variable],
                  output_grads: List[Optional[Variable]]) -> List[Optional[Variable]]:
    """The gradients of a scan's inputs, computed by a `Scan` running the steps in the opposite order.

    Step t of the backward scan reads the forward inputs of step t — the sequence
    slices, and the previous states taken from the states the forward scan collected
    (the initial value before the first step) — plus the gradients given for step t's
    outputs, all at their time index: the backward loop reads the forward's arrays as
    they are and collects the sequences' gradients in time order.
    The forward loop also collects its state-dependent products (`saved_products`):
    the backward step reads them instead of computing them again, and recomputes only
    the cheap elementwise work between them.  It carries the gradient of each state
    backwards and sums the gradient of each non-sequence; it collects the gradient of
    each sequence slice.
    """
    seqs, inits, nonseqs = op.split_inputs(inputs)
    g_states, g_outs = op.split_outputs(output_grads)
    diff_seqs = [i for i, s in enumerate(seqs) if s.type.is_float]
    diff_states = [j for j, v in enumerate(inits) if v.type.is_float]
    diff_nonseqs = [k for k, v in enumerate(nonseqs) if v.type.is_float]
    if not (diff_seqs or diff_states or diff_nonseqs):
        return [None] * len(inputs)
    saved = saved_products(op)
    states, saved_values, g_states = _forward_for_gradient(op, inputs, outputs, saved, g_states)
    prevs = [_previous_values(init, h, op.backwards) for init, h in zip(inits, states)]
    given_states = [g for g in g_states if g is not None]
    given_outs = [g for g in g_outs if g is not None]

    def step(*args):
        args = list(args)
        x, h_prev = _take(args, len(seqs)), _take(args, len(inits))
        g_h = [args.pop(0) if g is not None else None for g in g_states]
        g_y = [args.pop(0) if g is not None else None for g in g_outs]
        saved_t = _take(args, len(saved))
        adjoints, sums = _take(args, len(diff_states)), _take(args, len(diff_nonseqs))
        w = args
        inner = op.fgraph
        cloned = clone_graph(inner.inputs, inner.outputs + saved, dict(zip(inner.inputs, x + h_prev + w)))
        new_h, y = op.split_outputs(cloned[:len(inner.outputs)])
        seeds = list(zip([new_h[j] for j in diff_states], adjoints)) + [
            (var, g) for var, g in zip(new_h + y, g_h + g_y) if g is not None]
        known: Dict[Variable, Variable] = {}
        for var, g in seeds:
            known[var] = known[var] + g if var in known else g
        from symkeras.graph.grad import grad

        wrt = [x[i] for i in diff_seqs] + [h_prev[j] for j in diff_states] + [w[k] for k in diff_nonseqs]
        grads = grad(None, wrt, known_grads=known, disconnected_inputs="ignore")
        grads = substitute(grads, dict(zip(cloned[len(inner.outputs):], saved_t)))
        g_x, g_prev, g_w = _take(grads, len(diff_seqs)), _take(grads, len(diff_states)), grads
        return g_prev + [total + g for total, g in zip(sums, g_w)] + g_x

    outputs_info = [dict(initial=E.zeros_like(inits[j]), collect=False) for j in diff_states]
    outputs_info += [dict(initial=E.zeros_like(nonseqs[k]), collect=False) for k in diff_nonseqs]
    outputs_info += [None] * len(diff_seqs)
    g_x, finals = time_indexed_scan(step, seqs + prevs + given_states + given_outs + saved_values, outputs_info,
                                    nonseqs, op.n_steps, backwards=not op.backwards)
    result: List[Optional[Variable]] = [None] * len(inputs)
    for i, g in zip(diff_seqs, g_x):
        result[i] = g
    slots = [len(seqs) + j for j in diff_states] + [len(seqs) + len(inits) + k for k in diff_nonseqs]
    for slot, g in zip(slots, finals):
        result[slot] = g
    return result


def _previous_values(init: Variable, history: Variable, backwards: bool) -> Variable:
    """A state's value before each time index's step, given its `history` after each (time first): the
    initial value, then the history shifted by the step the loop runs before."""
    first = shape_ops.expand_dims(init, 0)
    return shape_ops.concatenate([history[1:], first] if backwards else [first, history[:-1]])


def saved_products(op: Scan) -> List[Variable]:
    """The inner products (matrix products, convolutions) that depend on a state, in step order.

    They are what a backward step would recompute at a real cost; everything else it
    recomputes is elementwise work that fuses into its own kernels.  Products of
    sequences alone are left out: the optimizer moves them before the loop anyway.
    """
    _, state_ph, _ = op.split_inputs(op.fgraph.inputs)
    dependent = set(state_ph)
    saved = []
    for node in op.fgraph.toposort():
        if any(v in dependent for v in node.inputs):
            dependent.update(node.outputs)
            if isinstance(node.op, (Dot, Conv)):
                saved.extend(o for o in node.outputs if o not in op.fgraph.outputs)
    return saved


def _forward_for_gradient(op: Scan, inputs: List[Variable], outputs: List[Variable], saved: List[Variable],
                          g_states: List[Optional[Variable]]) -> Tuple[List[Variable], List[Variable],
                                                                      List[Optional[Variable]]]:
    """Every state's per-step values, the per-step values of `saved`, and the gradients given for the states.

    They come from the forward loop extended to collect `saved` and every state (a
    second `Scan` over the same inputs, which the optimizer's ``scan_merge_extended``
    merges with the original).  A state the original loop only carried makes the
    extended loop differ in what it collects: then the forward runs again (the price
    of ``collect=False`` under a gradient), and the gradient of its last value lands on
    the last step the loop runs.
    """
    from symkeras.ops.subtensor import inc_subtensor

    states, _ = op.split_outputs(outputs)
    if all(op.collect) and not saved:
        return states, [], g_states
    full = Scan(op.fgraph.inputs, op.fgraph.outputs + saved, op.n_seqs, op.n_states, [True] * op.n_states,
                op.n_steps, op.backwards)
    per_step, collected = full.split_outputs(full.make_node(*inputs).outputs)
    last = 0 if op.backwards else -1
    grads = [g if keep or g is None else inc_subtensor(E.zeros_like(h)[last], g)
             for g, h, keep in zip(g_states, per_step, op.collect)]
    return per_step, collected[op.n_outs:], grads


def substitute(outputs: Sequence[Variable], replacements: Dict[Variable, Variable]) -> List[Variable]:
    """`outputs` recomputed with some of the variables they depend on replaced (the nodes in between cloned)."""
    if not replacements:
        return list(outputs)
    return clone_graph(list(replacements), outputs, dict(replacements))


def _take(items: list, n: int) -> list:
    """Remove and return the first `n` items of `items`."""
    taken = items[:n]
    del items[:n]
    return taken
