"""The loop nests of convolutions and pooling, parallel over the samples of a batch.

Generated kernels call these compiled functions (one compile per signature and process,
cached on disk under the user's cache folder).  A convolution runs as im2col + GEMM per
chunk of samples, each core gathering its chunk's patches into a buffer that stays in its
cache and multiplying it with a single-threaded BLAS call: the memory-bound gather runs on
every core, and one thread pool (Numba's) is in charge — handing work back and forth
between Numba's and BLAS's pools each chunk cost more than the parallel gather saved.
Small-window direct convolutions, pooling and its gradient are parallel over samples too.

Numba's ``parallel=True`` costs seconds of compilation per function with array code in
it, so the only parallel functions are two thin drivers (`_conv_tasks`, `_pool_tasks`)
whose loop body is one call to a serial task function.  Every array is 5-d: ``(batch,
depth, height, width, channels)``, 1-D and 2-D data having leading spatial dims of size 1.
Each task writes only its own samples, and a kernel gradient sums a fixed number of
per-group partial sums in order, so no result depends on the number of threads.
"""
from __future__ import annotations

import numpy as np
from llvmlite import binding
from numba import njit, prange, types
from numba.core import cgutils, errors
from numba.extending import intrinsic
from numba.np.ufunc.parallel import _launch_threads

from symkeras.graph.linker import runtime_cache
from symkeras.graph.linker.numba.cblas import gemm, require_gemm, set_blas_threads

runtime_cache.install()

#: one patch buffer (a chunk of samples' im2col rows) holds at most this many elements (2 MiB of float32:
#: it stays in a core's cache between the gather and the product)
CHUNK_ELEMENTS = 1 << 19

#: a kernel gradient is the ordered sum of at most this many per-group partial sums, each over a
#: fixed range of samples (fixed, so the result does not depend on the number of threads) ...
GRADIENT_GROUPS = 8
#: ... whose buffers hold at most this many elements together
PARTS_ELEMENTS = 1 << 24

# the tasks of `_conv_tasks`: im2col + GEMM forward, input gradient, kernel gradient; direct loops
FORWARD, GRAD_INPUT, GRAD_KERNEL, DIRECT_FORWARD, DIRECT_GRAD_INPUT, DIRECT_GRAD_KERNEL = range(6)


# -- serial task bodies ---------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def _patches(x, cols, n0, m, ksize, strides, dilation, before, out_size, scatter):
    """Gather the patches of samples n0..n0+m of x into the rows of cols (zeros outside x), or with
    scatter add the rows of cols back into x.  Row: (sample, output position); column: (window
    offset, channel)."""
    d_in, h_in, w_in, c = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    r = 0
    for b in range(n0, n0 + m):
        for i in range(out_size[0]):
            for j in range(out_size[1]):
                for l in range(out_size[2]):
                    q = 0
                    for a in range(ksize[0]):
                        zd = i * strides[0] - before[0] + a * dilation[0]
                        for e in range(ksize[1]):
                            zh = j * strides[1] - before[1] + e * dilation[1]
                            for f in range(ksize[2]):
                                zw = l * strides[2] - before[2] + f * dilation[2]
                                inside = 0 <= zd < d_in and 0 <= zh < h_in and 0 <= zw < w_in
                                if scatter:
                                    if inside:
                                        for t in range(c):
                                            x[b, zd, zh, zw, t] += cols[r, q + t]
                                elif inside:
                                    for t in range(c):
                                        cols[r, q + t] = x[b, zd, zh, zw, t]
                                else:
                                    for t in range(c):
                                        cols[r, q + t] = 0
                                q += c
                    r += 1


@njit(cache=True, nogil=True)
def _direct_sample(x, w, y, b, kind, depthwise, strides, dilation, before):
    """Sample b of a direct convolution: kind 0 adds the output into y, 1 the input gradient into x
    (y holds the output gradient), 2 the kernel gradient into w.  Input channel t meets output
    channels t * mult .. t * mult + mult - 1 (depthwise) or all of them."""
    d_in, h_in, w_in, c, mult = x.shape[1], x.shape[2], x.shape[3], x.shape[4], w.shape[4]
    for i in range(y.shape[1]):
        for j in range(y.shape[2]):
            for l in range(y.shape[3]):
                for a in range(w.shape[0]):
                    zd = i * strides[0] - before[0] + a * dilation[0]
                    for e in range(w.shape[1]):
                        zh = j * strides[1] - before[1] + e * dilation[1]
                        for f in range(w.shape[2]):
                            zw = l * strides[2] - before[2] + f * dilation[2]
                            if not (0 <= zd < d_in and 0 <= zh < h_in and 0 <= zw < w_in):
                                continue
                            for t in range(c):
                                o0 = t * mult if depthwise else 0
                                if kind == 0:
                                    for u in range(mult):
                                        y[b, i, j, l, o0 + u] += x[b, zd, zh, zw, t] * w[a, e, f, t, u]
                                elif kind == 1:
                                    for u in range(mult):
                                        x[b, zd, zh, zw, t] += y[b, i, j, l, o0 + u] * w[a, e, f, t, u]
                                else:
                                    for u in range(mult):
                                        w[a, e, f, t, u] += x[b, zd, zh, zw, t] * y[b, i, j, l, o0 + u]


@njit(cache=True, nogil=True)
def _conv_task(kind, task, x, w, y, parts, strides, dilation, before, chunk, depthwise):
    """Task `task` of `_conv_tasks`: a chunk of `chunk` samples (im2col kinds), a sample (direct
    forward and input gradient) or a group of samples summed into ``parts[task]`` (kernel gradients).
    x: input (gradient), w: kernel (``parts[0]`` for kernel gradients), y: output (gradient)."""
    n, o = y.shape[0], y.shape[4]
    ksize = (w.shape[0], w.shape[1], w.shape[2])
    out_size = (y.shape[1], y.shape[2], y.shape[3])
    p = out_size[0] * out_size[1] * out_size[2]
    k = ksize[0] * ksize[1] * ksize[2] * x.shape[4]
    direct_kind = kind - DIRECT_FORWARD  # 0, 1, 2 for the direct tasks (a run-time value: one compiled version)
    if kind == DIRECT_FORWARD or kind == DIRECT_GRAD_INPUT:
        _direct_sample(x, w, y, task, direct_kind, depthwise, strides, dilation, before)
        return
    groups = max(parts.shape[0], 1)
    lo, hi = task * n // groups, (task + 1) * n // groups  # the samples of a kernel gradient's group
    if kind == DIRECT_GRAD_KERNEL:
        for b in range(lo, hi):
            _direct_sample(x, parts[task], y, b, direct_kind, depthwise, strides, dilation, before)
        return
    previous = set_blas_threads(1)
    rows = y.reshape((n * p, o))
    scatter = kind == GRAD_INPUT
    if kind == GRAD_KERNEL:
        cols = np.empty((min(chunk, hi - lo) * p, k), x.dtype)
        gw = parts[task].reshape((k, o))
        for n0 in range(lo, hi, chunk):
            m = min(chunk, hi - n0)
            _patches(x, cols, n0, m, ksize, strides, dilation, before, out_size, scatter)
            gemm(1.0, cols[:m * p].T, rows[n0 * p:(n0 + m) * p], 1.0, gw)
    else:
        n0 = task * chunk
        m = min(chunk, n - n0)
        cols = np.empty((m * p, k), x.dtype)
        wmat = w.reshape((k, o))
        if scatter:
            gemm(1.0, rows[n0 * p:(n0 + m) * p], wmat.T, 0.0, cols)
        _patches(x, cols, n0, m, ksize, strides, dilation, before, out_size, scatter)
        if not scatter:
            gemm(1.0, cols, wmat, 0.0, rows[n0 * p:(n0 + m) * p])
    set_blas_threads(previous)


@njit(inline="always", cache=True)
def pool_window(o, stride, before, size, n):
    """The input positions [lo, hi) of output position o's window, clipped to the n inside the input."""
    start = o * stride - before
    lo = max(start, 0)
    return lo, max(lo, min(start + size, n))


@njit(cache=True, nogil=True)
def _pool_window_forward(x, out, b, i, j, l, d0, d1, h0, h1, w0, w1, is_max):
    """out[b, i, j, l] = the max (or the average over the elements inside x) of its window."""
    c = x.shape[4]
    for t in range(c):
        out[b, i, j, l, t] = -np.inf if is_max else 0
    for zd in range(d0, d1):
        for zh in range(h0, h1):
            for zw in range(w0, w1):
                for t in range(c):
                    v = x[b, zd, zh, zw, t]
                    if is_max:
                        if v > out[b, i, j, l, t]:
                            out[b, i, j, l, t] = v
                    else:
                        out[b, i, j, l, t] += v
    if not is_max:
        count = (d1 - d0) * (h1 - h0) * (w1 - w0)
        for t in range(c):
            out[b, i, j, l, t] /= count


@njit(cache=True, nogil=True)
def _pool_window_grad(x, gz, gx, b, i, j, l, d0, d1, h0, h1, w0, w1, is_max, best, at):
    """Add gz[b, i, j, l] into gx: at the first maximum of its window, or spread over the elements of
    the window inside x.  `best` and `at` are scratch rows of the channels' size."""
    c, h_in, w_in = x.shape[4], x.shape[2], x.shape[3]
    if not is_max:
        count = (d1 - d0) * (h1 - h0) * (w1 - w0)
        for zd in range(d0, d1):
            for zh in range(h0, h1):
                for zw in range(w0, w1):
                    for t in range(c):
                        gx[b, zd, zh, zw, t] += gz[b, i, j, l, t] / count
        return
    for t in range(c):
        best[t] = -np.inf
        at[t] = -1  # the (depth, height, width) position of the channel's first maximum, -1 for none
    for zd in range(d0, d1):
        for zh in range(h0, h1):
            for zw in range(w0, w1):
                position = (zd * h_in + zh) * w_in + zw
                for t in range(c):  # selects, not branches: vectorised, no mispredictions
                    v = x[b, zd, zh, zw, t]
                    better = v > best[t]
                    best[t] = v if better else best[t]
                    at[t] = position if better else at[t]
    sample_rows = gx[b].reshape((gx.shape[1] * h_in * w_in, c))
    for t in range(c):
        if at[t] >= 0:
            sample_rows[at[t], t] += gz[b, i, j, l, t]


@njit(cache=True, nogil=True)
def _pool_task(grad, b, x, y, gx, window, strides, before, is_max):
    """Sample b of a pooling (y: its output) or of its gradient (y: the output gradient, summed into gx[b],
    which the task zeroes first: on the core that then adds into it, while it is in that core's cache)."""
    d_in, h_in, w_in = x.shape[1], x.shape[2], x.shape[3]
    if grad:
        sample = gx[b].reshape(-1)
        for k in range(sample.shape[0]):
            sample[k] = 0
    best = np.empty(x.shape[4], x.dtype)
    at = np.empty(x.shape[4], np.int64)
    for i in range(y.shape[1]):
        d0, d1 = pool_window(i, strides[0], before[0], window[0], d_in)
        for j in range(y.shape[2]):
            h0, h1 = pool_window(j, strides[1], before[1], window[1], h_in)
            for l in range(y.shape[3]):
                w0, w1 = pool_window(l, strides[2], before[2], window[2], w_in)
                if grad:
                    _pool_window_grad(x, y, gx, b, i, j, l, d0, d1, h0, h1, w0, w1, is_max, best, at)
                else:
                    _pool_window_forward(x, y, b, i, j, l, d0, d1, h0, h1, w0, w1, is_max)


# -- calling the tasks by symbol ------------------------------------------------------------------
# A parallel function that calls a compiled function links its code in and optimizes it again,
# twice (Numba outlines the loop body into a function of its own): seconds per driver.  The
# drivers call each task instead through an LLVM symbol of our own, bound to the task compiled
# (or loaded from the disk cache) once per process and dtype by `require_tasks`.
def _task_types(dtype) -> dict:
    """The argument types of each task for arrays of `dtype`."""
    a5, t3 = types.Array(dtype, 5, "C"), types.UniTuple(types.int64, 3)
    return {
        _conv_task: (types.int64, types.int64, a5, a5, a5, types.Array(dtype, 6, "C"), t3, t3, t3, types.int64,
                     types.boolean),
        _pool_task: (types.boolean, types.int64, a5, a5, a5, t3, t3, t3, types.boolean),
    }


def _symbol(task, dtype) -> str:
    return f"symkeras_{task.__name__.lstrip('_')}_{dtype}"


_registered = set()


def require_tasks(dtype: str) -> None:
    """Compile (or load from the disk cache) the tasks for arrays of `dtype` and bind their symbols.

    A generated module calling a driver runs this when imported, before its functions compile
    or load: a driver's code (also from the disk cache) needs the symbols bound — ours, and
    those of Numba's thread pool (``allocate_sched``...), which Numba binds when it starts
    the pool: it does so before it loads a parallel function of its own from the cache, but
    not before a kernel that merely calls one (whose cached code holds the driver's).
    """
    if dtype in _registered:
        return
    if dtype not in ("float32", "float64"):  # the code generators refuse others, naming the op
        raise TypeError(f"the convolution and pooling loops run on float32 and float64 arrays, got {dtype}")
    _launch_threads()
    require_gemm(dtype)
    tasks = _task_types(getattr(types, dtype))
    runtime_cache.compile_all(list(tasks.items()))  # a helper needing them too compiles the other one
    for task, argtypes in tasks.items():
        result = task.overloads[argtypes]
        binding.add_symbol(_symbol(task, dtype), result.library.get_pointer_to_function(result.fndesc.llvm_func_name))
    _registered.add(dtype)


def _typed_task_call(task, args: tuple):
    """Signature and codegen of a call to `task` through its symbol, for argument types `args`."""
    dtype = args[2].dtype if isinstance(args[2], types.Array) else None
    expected = _task_types(dtype).get(task) if dtype in (types.float32, types.float64) else None
    if tuple(args) != expected:
        raise errors.TypingError(f"{task.__name__} takes {expected}, got {args}")
    require_tasks(str(dtype))

    def codegen(context, builder, signature, values):
        fnty = context.call_conv.get_function_type(types.none, signature.args)
        fn = cgutils.get_or_insert_function(builder.module, fnty, _symbol(task, dtype))
        status, _ = context.call_conv.call_function(builder, fn, types.none, signature.args, values)
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return context.get_dummy_value()

    return types.none(*args), codegen


@intrinsic
def _run_conv_task(typingctx, kind, task, x, w, y, parts, strides, dilation, before, chunk, depthwise):
    return _typed_task_call(_conv_task, (kind, task, x, w, y, parts, strides, dilation, before, chunk, depthwise))


@intrinsic
def _run_pool_task(typingctx, grad, b, x, y, gx, window, strides, before, is_max):
    return _typed_task_call(_pool_task, (grad, b, x, y, gx, window, strides, before, is_max))


# -- the parallel drivers -------------------------------------------------------------------------
# Flags and kinds reach them as run-time values (``np.int64``, ``np.bool_``), never as Numba
# literals: the tasks take exactly their registered types.
@njit(parallel=True, cache=True, nogil=True)
def _conv_tasks(kind, tasks, x, w, y, parts, strides, dilation, before, chunk, depthwise):
    for task in prange(tasks):
        _run_conv_task(np.int64(kind), np.int64(task), x, w, y, parts, strides, dilation, before, np.int64(chunk),
                       np.bool_(depthwise))


@njit(parallel=True, cache=True, nogil=True)
def _pool_tasks(grad, x, y, gx, window, strides, before, is_max):
    for b in prange(y.shape[0]):
        _run_pool_task(np.bool_(grad), np.int64(b), x, y, gx, window, strides, before, np.bool_(is_max))


# -- what generated kernels call ------------------------------------------------------------------
@njit(cache=True, nogil=True)
def _samples_per_chunk(rows_per_sample, k):
    """How many samples one patch buffer holds (at most `CHUNK_ELEMENTS` elements, at least one sample)."""
    return max(1, CHUNK_ELEMENTS // max(rows_per_sample * k, 1))


@njit(cache=True, nogil=True)
def _no_parts(x):
    """The `parts` argument of tasks that sum nothing."""
    return np.empty((0, 1, 1, 1, 1, 1), x.dtype)


@njit(cache=True, nogil=True)
def _add_kernel_gradient(kind, x, y, gw, strides, dilation, before, depthwise):
    """Add the kernel gradient into gw (KD, KH, KW, C, mult or O): the ordered sum of per-group parts."""
    n = x.shape[0]
    groups = max(1, min(n, GRADIENT_GROUPS, PARTS_ELEMENTS // max(gw.size, 1)))
    parts = np.zeros((groups,) + gw.shape, gw.dtype)
    chunk = _samples_per_chunk(y.shape[1] * y.shape[2] * y.shape[3], gw.size // gw.shape[4])
    _conv_tasks(np.int64(kind), groups, x, parts[0], y, parts, strides, dilation, before, chunk, np.bool_(depthwise))
    flat, part_rows = gw.reshape(gw.size), parts.reshape((groups, gw.size))
    for g in range(groups):
        for i in range(gw.size):
            flat[i] += part_rows[g, i]


@njit(cache=True, nogil=True)
def conv_forward(x, w, strides, dilation, before, out_size):
    """(N, D, H, W, C) x (KD, KH, KW, C, O) -> (N, OD, OH, OW, O), as im2col + GEMM."""
    n, o = x.shape[0], w.shape[4]
    out = np.empty((n, out_size[0], out_size[1], out_size[2], o), x.dtype)
    chunk = _samples_per_chunk(out_size[0] * out_size[1] * out_size[2], w.size // o)
    _conv_tasks(np.int64(FORWARD), (n + chunk - 1) // chunk, x, w, out, _no_parts(x), strides, dilation, before, chunk,
                np.bool_(False))
    return out


@njit(cache=True, nogil=True)
def conv_grad_input(gz, w, strides, dilation, before, in_size):
    """(N, OD, OH, OW, O) x (KD, KH, KW, C, O) -> the input gradient (N, D, H, W, C), as GEMM + col2im."""
    n, c = gz.shape[0], w.shape[3]
    gx = np.zeros((n, in_size[0], in_size[1], in_size[2], c), gz.dtype)
    chunk = _samples_per_chunk(gz.shape[1] * gz.shape[2] * gz.shape[3], w.size // w.shape[4])
    _conv_tasks(np.int64(GRAD_INPUT), (n + chunk - 1) // chunk, gx, w, gz, _no_parts(gz), strides, dilation, before,
                chunk, np.bool_(False))
    return gx


@njit(cache=True, nogil=True)
def conv_grad_kernel(x, gz, ksize, strides, dilation, before):
    """(N, D, H, W, C) x (N, OD, OH, OW, O) -> the kernel gradient (KD, KH, KW, C, O), as im2col + GEMM."""
    gw = np.zeros((ksize[0], ksize[1], ksize[2], x.shape[4], gz.shape[4]), x.dtype)
    _add_kernel_gradient(np.int64(GRAD_KERNEL), x, gz, gw, strides, dilation, before, np.bool_(False))
    return gw


@njit(cache=True, nogil=True)
def direct_loops(x, w, y, kind, depthwise, strides, dilation, before):
    """A convolution's product as direct loops: kind 0 adds the output into y, 1 the input gradient
    into x (y holds the output gradient), 2 the kernel gradient into w."""
    if kind == 2:
        _add_kernel_gradient(np.int64(DIRECT_GRAD_KERNEL), x, y, w, strides, dilation, before, np.bool_(depthwise))
    else:
        _conv_tasks(np.int64(DIRECT_FORWARD + kind), y.shape[0], x, w, y, _no_parts(x), strides, dilation, before,
                    np.int64(1), np.bool_(depthwise))


@njit(cache=True, nogil=True)
def pool_forward(x, out, window, strides, before, is_max):
    """The max (or the average over the elements inside x) of each window, into out."""
    _pool_tasks(np.bool_(False), x, out, x, window, strides, before, np.bool_(is_max))


@njit(cache=True, nogil=True)
def pool_grad(x, gz, gx, window, strides, before, is_max):
    """Write into gx (any contents: every element is written) the sum of the output gradients of the windows
    that hold each input element: at the first maximum of a window, or spread over its elements inside x."""
    _pool_tasks(np.bool_(True), x, gz, gx, window, strides, before, np.bool_(is_max))


runtime_cache.share_compilation(globals())
