"""`K.rnn`: Keras 2.2.4's time loop, on one `scan` (or unrolled into a flat graph with ``unroll=True``).

Inputs are batch-major ``(batch, time, ...)``; the loop runs time-major, so the
inputs, the mask and the collected outputs are transposed on the way in and out.
Under a mask, a masked step keeps every state and repeats the previous output (zeros
before the first step), as Keras's Theano backend does.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Sequence, Tuple

from symkeras import ops
from symkeras.backend.errors import backend_function
from symkeras.graph import Variable, as_tensor
from symkeras.graph.type import format_shape
from symkeras.ops.scan import masked_update, scan, time_indices

Tensor = Variable
StepFunction = Callable[[Tensor, List[Tensor]], Tuple[Tensor, Sequence[Tensor]]]


def _swap_batch_and_time(x: Tensor) -> Tensor:
    """``(a, b, ...)`` -> ``(b, a, ...)``: batch-major to time-major and back."""
    return ops.dimshuffle(x, (1, 0) + tuple(range(2, x.ndim)))


def _time_major_mask(mask: Tensor, inputs: Tensor) -> Tensor:
    """A ``(batch, time)`` (or ``(batch, time, 1)``) mask as booleans ``(time, batch)``."""
    mask = as_tensor(mask)
    if mask.ndim == 3 and mask.type.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2:
        raise ValueError(f"the mask must have shape (batch, time), got {format_shape(mask.type.shape)} for inputs "
                         f"of shape {format_shape(inputs.type.shape)}")
    mask = mask if mask.dtype == "bool" else ops.neq(mask, 0)
    return _swap_batch_and_time(mask)


def _checked_step(step_function: StepFunction, n_states: int):
    """The step as a function of ``(x_t, *states, *constants)`` returning ``[output] + new_states``."""

    def step(x_t, *args):
        output, new_states = step_function(x_t, list(args))
        new_states = list(new_states)
        if len(new_states) != n_states:
            raise ValueError(f"the step function returned {len(new_states)} new states for {n_states} "
                             f"initial states")
        return [as_tensor(output)] + [as_tensor(s) for s in new_states]

    return step


@backend_function
def rnn(step_function: StepFunction, inputs: Tensor, initial_states: Sequence[Tensor], go_backwards: bool = False,
        mask: Optional[Tensor] = None, constants: Optional[Sequence[Tensor]] = None, unroll: bool = False,
        input_length: Optional[int] = None) -> Tuple[Tensor, Tensor, List[Tensor]]:
    """Iterates over the time dimension of a tensor.

    # Arguments
        step_function: ``step_function(input_t, states) -> (output_t, new_states)``, where
            `input_t` is the ``(samples, ...)`` slice of one time step, `states` the list
            of states followed by the constants, and `new_states` a list as long as
            `initial_states`, each of its state's shape.
        inputs: tensor of temporal data of shape ``(samples, time, ...)`` (at least 3D).
        initial_states: tensors of shape ``(samples, ...)``, the states at the first step.
        go_backwards: iterate over the time dimension in reverse order; the outputs are
            returned in the order the steps ran.
        mask: binary tensor of shape ``(samples, time)``, zero for every masked step.
        constants: a list of constant values passed at each step.
        unroll: whether to unroll the loop into a flat graph (needs a known number of steps).
        input_length: the number of time steps, where the input's static shape lacks it.

    # Returns
        A tuple ``(last_output, outputs, new_states)``: the last output ``(samples, ...)``,
        every output ``(samples, time, ...)``, and the states after the last step.

    # Raises
        ValueError: for inputs of rank below 3, a mask of another shape than
            ``(samples, time)``, a step returning the wrong number of states, or an
            unrolled loop over an unknown number of steps.
    """
    inputs = as_tensor(inputs)
    if inputs.ndim < 3:
        raise ValueError(f"inputs must have shape (samples, time, ...) with at least 3 axes, got "
                         f"{format_shape(inputs.type.shape)}")
    states = [as_tensor(s) for s in initial_states]
    constants = [as_tensor(c) for c in (constants or [])]
    time_major = _swap_batch_and_time(inputs)
    mask = None if mask is None else _time_major_mask(mask, inputs)
    step = _checked_step(step_function, len(states))
    if unroll:
        outputs, states = _unrolled(step, time_major, states, constants, mask, go_backwards,
                                    inputs.type.shape[1] or input_length)
    else:
        (outputs, *_), states = scan(step, sequences=[time_major], outputs_info=[None] + states,
                                     non_sequences=constants, go_backwards=go_backwards, mask=mask)
    return outputs[-1], _swap_batch_and_time(outputs), states


def _unrolled(step, time_major: Tensor, states: List[Tensor], constants: List[Tensor], mask: Optional[Tensor],
              go_backwards: bool, length: Optional[int]) -> Tuple[Tensor, List[Tensor]]:
    """The loop written out step by step: time-major outputs stacked, and the final states."""
    if length is None:
        raise ValueError(f"unrolling needs a known number of time steps, but the inputs have shape "
                         f"{format_shape(_swap_batch_and_time(time_major).type.shape)}; give input_length")
    outputs: List[Tensor] = []
    for t in time_indices(length, go_backwards):
        output, *new_states = step(time_major[t], *states, *constants)
        if mask is not None:
            previous = outputs[-1] if outputs else ops.zeros_like(output)
            output = masked_update(mask[t], output, previous)
            new_states = [masked_update(mask[t], new, old) for new, old in zip(new_states, states)]
        outputs.append(output)
        states = new_states
    return ops.stack(outputs), states
