"""Out-of-place writes into a copy of a tensor: index_add, index_copy, index_fill, index_put,
index_reduce, scatter_reduce, masked_scatter, put, select_scatter, slice_scatter,
diagonal_scatter.

Most are composed from `index_put` (assignment: the written positions get no gradient from
`input`) and `IndexAddIntoZeros` (accumulation: each source element gets the gradient of the
position it was added to), so they need no backward of their own. scatter_reduce's prod, amax
and amin are the one op here (`ScatterReduce`).
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor, _make
from ._util import dual, normalize_dim
from .elementwise import add, div, mul
from .index import (IndexAddIntoZeros, _check_index, _full_index, _normalize_key, getitem,
                    index_put as _assign, masked_fill)
from .shape import broadcast_to, permute, reshape

__all__ = ["index_add", "index_copy", "index_fill", "index_put", "index_reduce",
           "scatter_reduce", "masked_scatter", "put", "select_scatter", "slice_scatter",
           "diagonal_scatter"]


def _tensor(x, op, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _same_dtype(src, input):
    return src.to(input.dtype) if isinstance(src, Tensor) and src.dtype != input.dtype else src


def _vector_index(index, input, d, op):
    """`index` as a 1-D int64 array of non-negative positions along dim `d` of `input`."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index but got: {idx.dtype}")
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got shape "
                         f"{tuple(idx.shape)}")
    n = input._data.shape[d]
    idx = idx.reshape(-1).astype(np.int64)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"{op}(): index {int(bad)} is out of bounds for dimension {d} with "
                         f"size {n}")
    return np.where(idx < 0, idx + n, idx)


def _check_source(input, source, d, count, op):
    want = input.shape[:d] + (count,) + input.shape[d + 1:]
    if tuple(source.shape) != want:
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, excluding "
                           f"the specified dimension, with {count} entries along dim {d}. Got "
                           f"self.shape = {list(input.shape)} source.shape = "
                           f"{list(source.shape)}")


def _add_at(input, key, values):
    """input + zeros with `values` added at `key` (repeated positions accumulate)."""
    return add(input, IndexAddIntoZeros.apply(values, input.shape, key))


# ---------------------------------------------------------------------- index_*
def index_add(input, dim, index, source, *, alpha=1):
    """`input` with `alpha * source[j]` added to slice `index[j]` along `dim` (repeats add up).
    gx = g,  gsource = alpha * index_select(g, dim, index).
    Shapes: input: (*, N, *)  index: (K,)  source: (*, K, *)  ->  like input."""
    _tensor(input, "index_add")
    d = normalize_dim(dim, input._data.ndim, "index_add")
    idx = _vector_index(index, input, d, "index_add")
    _check_source(input, source, d, idx.size, "index_add")
    source = _same_dtype(source, input)
    if alpha != 1:
        source = mul(source, alpha)
    return _add_at(input, (slice(None),) * d + (idx,), source)


def index_copy(input, dim, index, source):
    """`input` with slice `index[j]` along `dim` replaced by `source[j]`."""
    _tensor(input, "index_copy")
    d = normalize_dim(dim, input._data.ndim, "index_copy")
    idx = _vector_index(index, input, d, "index_copy")
    if source._data.ndim and source.shape[d if source._data.ndim > d else 0] != idx.size:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({source.shape[d]})")
    _check_source(input, source, d, idx.size, "index_copy")
    return _assign(input, (slice(None),) * d + (idx,), _same_dtype(source, input))


def index_fill(input, dim, index, value):
    """`input` with the slices `index` along `dim` set to `value` (a number or 0-d tensor,
    which then gets the sum of their gradients)."""
    _tensor(input, "index_fill")
    d = normalize_dim(dim, input._data.ndim, "index_fill")
    idx = _vector_index(index, input, d, "index_fill")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    # (each slice once: a repeated index must not count twice in the value's gradient)
    return _assign(input, (slice(None),) * d + (np.unique(idx),), _same_dtype(value, input))


def _integer_key(indices, shape, op):
    """A tuple of index tensors as a NumPy key of integer arrays (bool masks expanded)."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}(): indices must be a tuple of tensors, got "
                        f"{type(indices).__name__}")
    out = []
    for k in _normalize_key(tuple(indices)):
        if k is None:
            raise TypeError(f"{op}(): None is not supported in indices")
        k = np.asarray(k)
        out.extend(np.nonzero(k) if k.dtype == np.bool_ else (k.astype(np.int64),))
    if len(out) > len(shape):
        raise IndexError(f"{op}(): too many indices ({len(out)}) for a tensor of shape "
                         f"{tuple(shape)}")
    return tuple(out)


def index_put(input, indices, values, accumulate=False):
    """`input` with `values` written at the advanced index `indices` (a tuple of integer or
    bool tensors, as `input[indices] = values`); with `accumulate`, added (repeats add up)."""
    _tensor(input, "index_put")
    key = _integer_key(indices, input.shape, "index_put")
    values = _same_dtype(values, input)
    if not accumulate:
        return _assign(input, key, values)
    target = np.broadcast_to(np.empty((), bool), input.shape)[key].shape
    if not isinstance(values, Tensor):
        values = _make(np.asarray(values, input.dtype), None)
    try:
        np.broadcast_shapes(values.shape, target)
    except ValueError:
        raise RuntimeError(f"index_put(): shape mismatch: value tensor of shape "
                           f"{tuple(values.shape)} cannot be broadcast to indexing result of "
                           f"shape {target}") from None
    return _add_at(input, key, broadcast_to(values, target))


# ---------------------------------------------------------------------- scatter_reduce
_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_UFUNCS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _reduce_array(x, src, key, reduce, include_self):
    """The values of scatter_reduce on arrays (any dtype)."""
    out = x.copy()
    if not include_self:
        init = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
        if init is None:  # amax/amin: the first source value at each position starts it
            init = np.array(np.inf if reduce == "amin" else -np.inf).astype(x.dtype) \
                if x.dtype.kind == "f" else (np.iinfo(x.dtype).max if reduce == "amin"
                                             else np.iinfo(x.dtype).min)
        out[key] = init
    _UFUNCS.get(reduce, np.add).at(out, key, src)
    if reduce == "mean":
        count = np.zeros(x.shape, np.int64)
        np.add.at(count, key, 1)
        count = count + (1 if include_self else 0)
        count = np.maximum(count, 1)
        out = out / count if x.dtype.kind == "f" else out // count
    return out.astype(x.dtype, copy=False)


class ScatterReduce(Op):
    """z = x with src reduced into the positions `key` by prod, amax or amin.

    amax/amin: the gradient is shared equally among the elements equal to the result (ties);
    gx = g * wx,  gsrc = g[key] * ws with those constant weights.
    prod: gx = g * z / x,  gsrc = g[key] * z[key] / src (nonzero inputs); at exact zeros the
    product of the others is used (first order only: double backward there is not exact).
    Shapes: x: (*)  src: like key  ->  like x.
    """

    _float_constants_ok = True

    @staticmethod
    def forward(ctx, x, src, key, reduce, include_self):
        out = _reduce_array(x, src, key, reduce, include_self)
        hit = np.zeros(x.shape, bool)
        hit[key] = True
        ctx.args = (key, reduce)
        if reduce == "prod":
            ctx.save_for_backward(x, src, out)
            ctx.keep = None if include_self else ~hit
            ctx.zero_grads = _prod_zero_grads(x, src, key, include_self) \
                if not (np.all(x != 0) and np.all(src != 0)) else None
        else:
            eq_x = (x == out) if include_self else ~hit
            eq_s = src == out[key]
            ties = eq_x.astype(x.dtype)
            np.add.at(ties, key, eq_s)
            ctx.wx = eq_x / ties
            ctx.ws = eq_s / ties[key]
        return out

    @staticmethod
    def backward(ctx, g):
        key, reduce = ctx.args
        nx, ns = ctx.needs_input_grad[:2]
        if reduce != "prod":
            return (g * ctx.wx if nx else None), (_pick(g, key) * ctx.ws if ns else None), \
                None, None, None
        x, src, out = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = gs = None
            if nx:
                gx = g * ctx.keep if ctx.keep is not None else g * out / x
            if ns:
                gs = _pick(g * out, key) / src
        if ctx.zero_grads is not None:
            zx, zs = ctx.zero_grads
            if nx and ctx.keep is None:
                gx = _fix_zeros(gx, _raw(x) == 0, g * zx)
            if ns:
                gs = _fix_zeros(gs, _raw(src) == 0, _pick(g, key) * zs)
        return gx, gs, None, None, None


def _prod_zero_grads(x, src, key, include_self):
    """Products of the others in each group, for the elements that are exactly 0."""
    xs = np.where(x == 0, 1, x) if include_self else np.ones_like(x)
    ss = np.where(src == 0, 1, src)
    nonzero_prod = xs.copy()
    np.multiply.at(nonzero_prod, key, ss)
    zeros = ((x == 0) & include_self).astype(np.int64)
    np.add.at(zeros, key, (src == 0).astype(np.int64))
    # the product of the others: nonzero_prod / self if self != 0 (then it is 0 unless no zero)
    zx = np.where(zeros == 1, nonzero_prod, 0).astype(x.dtype)
    zs = np.where(zeros[key] == 1, nonzero_prod[key], 0).astype(x.dtype)
    return zx, zs


def _raw(v):
    return v._data if isinstance(v, Tensor) else v


def _fix_zeros(grad, zero_mask, replacement):
    if isinstance(grad, Tensor):
        from .elementwise import where
        return where(_make(zero_mask, None), replacement, grad)
    return np.where(zero_mask, replacement, grad)


_pick = dual(lambda t, key: getitem(t, key), lambda a, key: a[key])


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """`input` with each `src[i][j]` reduced into position `index[i][j]` along `dim` (for
    dim=1) by `reduce`: 'sum', 'prod', 'mean', 'amax' or 'amin'; with `include_self=False` the
    original values at written positions are left out of the reduction.
    Shapes: input: (*)  index: same ndim, no larger  src: at least index's shape  ->  like input.
    """
    _tensor(input, "scatter_reduce")
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    d = normalize_dim(dim, input._data.ndim, "scatter_reduce")
    idx = _check_index(index, input, d, "scatter_reduce")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not "
                        f"{type(src).__name__}")
    for a in range(idx.ndim):
        if idx.shape[a] > src.shape[a] or (a != d and idx.shape[a] > input.shape[a]):
            raise RuntimeError(f"scatter_reduce(): Expected index {tuple(idx.shape)} to be "
                               f"smaller than self {tuple(input.shape)} apart from dimension "
                               f"{d} and to be smaller size than src {tuple(src.shape)}")
    src = _same_dtype(src, input)
    if src.shape != idx.shape:
        src = getitem(src, tuple(slice(0, n) for n in idx.shape))
    n = input.shape[d] if input._data.ndim else 1
    key = _full_index(np.where(idx < 0, idx + n, idx), d)
    if input._data.dtype.kind != "f":
        return _make(_reduce_array(input._data, src._data, key, reduce, include_self), None)
    if reduce in ("sum", "mean"):
        count = np.zeros(input.shape, np.int64)
        np.add.at(count, key, 1)
        base = input if include_self else masked_fill(input, _make(count > 0, None), 0.0)
        total = _add_at(base, key, src)
        if reduce == "sum":
            return total
        count = np.maximum(count + (1 if include_self else 0), 1)
        return div(total, _make(count.astype(input.dtype), None))
    return ScatterReduce.apply(input, src, key, reduce, bool(include_self))


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """`input` with slice `source[j]` reduced into slice `index[j]` along `dim` by `reduce`:
    'prod', 'mean', 'amax' or 'amin' (scatter_reduce with the index spread over source)."""
    _tensor(input, "index_reduce")
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = normalize_dim(dim, input._data.ndim, "index_reduce")
    idx = _vector_index(index, input, d, "index_reduce")
    _check_source(input, source, d, idx.size, "index_reduce")
    shape = [1] * input._data.ndim
    shape[d] = -1
    spread = np.broadcast_to(idx.reshape(shape), source.shape)
    return scatter_reduce(input, d, spread, source, reduce, include_self=include_self)


# ---------------------------------------------------------------------- masks and flat indices
def masked_scatter(input, mask, source):
    """`input` with the positions where `mask` (broadcast to input) is True filled with the
    first elements of `source`, in row-major order.
    gx = g where mask is False,  gsource = g[mask] in the first mask.sum() places, else 0."""
    _tensor(input, "masked_scatter")
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {m.dtype}")
    try:
        m = np.broadcast_to(m, input.shape)
    except ValueError:
        raise RuntimeError(f"masked_scatter(): mask of shape {tuple(mask.shape)} is not "
                           f"broadcastable to the input shape {tuple(input.shape)}") from None
    k = int(m.sum())
    if source.numel() < k:
        raise RuntimeError(f"Number of elements of source < number of ones in mask "
                           f"({source.numel()} < {k})")
    values = getitem(reshape(_same_dtype(source, input), -1), slice(0, k))
    return _assign(input, (m,), values)


def put(input, index, source, accumulate=False):
    """`input` with `source` written at the flat (row-major) positions `index`; with
    `accumulate`, added (repeats add up)."""
    _tensor(input, "put")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {idx.dtype}")
    n = input.numel()
    if idx.size != source.numel():
        raise RuntimeError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {idx.size}")
    idx = idx.reshape(-1).astype(np.int64)
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements.")
    idx = np.where(idx < 0, idx + n, idx)
    flat = reshape(input, -1)
    values = reshape(_same_dtype(source, input), -1)
    out = _add_at(flat, (idx,), values) if accumulate else _assign(flat, (idx,), values)
    return reshape(out, input.shape)


# ---------------------------------------------------------------------- *_scatter
def _embed(input, src, key, op):
    _tensor(input, op)
    _tensor(src, op, "src")
    want = np.broadcast_to(np.empty((), bool), input.shape)[key].shape
    if tuple(src.shape) != want:
        raise RuntimeError(f"{op}(): expected src to have a size equal to the slice of self. "
                           f"src size = {list(src.shape)}, slice size = {list(want)}")
    return _assign(input, key, _same_dtype(src, input))


def select_scatter(input, src, dim, index):
    """`input` with `input.select(dim, index)` replaced by `src` (of exactly that shape)."""
    d = normalize_dim(dim, input._data.ndim, "select_scatter")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select_scatter(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return _embed(input, src, (slice(None),) * d + (int(index),), "select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """`input` with the slice `start:end:step` along `dim` replaced by `src`."""
    d = normalize_dim(dim, input._data.ndim, "slice_scatter")
    if step is None:
        step = 1
    if step <= 0:
        raise RuntimeError(f"slice_scatter(): slice step must be positive, got {step}")
    return _embed(input, src, (slice(None),) * d + (slice(start, end, step),),
                  "slice_scatter")


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """`input` with `input.diagonal(offset, dim1, dim2)` replaced by `src`
    (shape: the other dims, then the diagonal's length)."""
    _tensor(input, "diagonal_scatter")
    nd = input._data.ndim
    a = normalize_dim(dim1, nd, "diagonal_scatter")
    b = normalize_dim(dim2, nd, "diagonal_scatter")
    if a == b:
        raise RuntimeError(f"diagonal_scatter(): dim1 and dim2 cannot be identical, got {a}")
    order = [i for i in range(nd) if i not in (a, b)] + [a, b]
    rows, cols = input.shape[a], input.shape[b]
    length = max(0, min(rows, cols - offset) if offset >= 0 else min(rows + offset, cols))
    start_r, start_c = (0, offset) if offset >= 0 else (-offset, 0)
    r = np.arange(length) + start_r
    c = np.arange(length) + start_c
    moved = permute(input, order)
    out = _embed(moved, src, (Ellipsis, r, c), "diagonal_scatter")
    return permute(out, tuple(np.argsort(order)))
