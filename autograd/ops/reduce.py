"""Reductions: sum, mean, prod, max/min, amax/amin, var/std, logsumexp, norm, cumsum.

`dim` may be None (every axis), an int or a tuple, negative allowed; `keepdim` keeps reduced
axes as size 1. Backward formulas broadcast `g` back over the reduced axes.
"""
import builtins
import collections
import math

import numpy as np

from .. import dtypes
from ..function import Op
from ..tensor import Tensor, _make
from ._util import dual, normalize_dim, normalize_dims, to_float
from .elementwise import _exp, _where, sqrt, abs as _abs, pow as _pow, mul, sub, div

ReturnTypes = collections.namedtuple("return_types", ["values", "indices"])


def _restore(g, in_shape, axes, keepdim):
    """g with the reduced axes put back as size 1, broadcast to the input shape."""
    if not keepdim and axes:
        shape = list(in_shape)
        for a in axes:
            shape[a] = 1
        g = g.reshape(tuple(shape))
    return _broadcast_to(g, in_shape)


def _expand_tensor(t, shape):
    from .shape import broadcast_to
    return broadcast_to(t, shape)


def _broadcast_array(a, shape):
    """`a` broadcast to `shape` as a new array. A copy beats a broadcast view here: creating the
    view (`np.broadcast_to`) costs more than the copy for small arrays, and NumPy's element-wise
    loops run several times slower over a stride-0 view than over a contiguous array."""
    out = np.empty(shape, a.dtype)
    out[...] = a
    return out


_broadcast_to = dual(_expand_tensor, _broadcast_array)


# ---------------------------------------------------------------------- sum and mean
class Sum(Op):
    """z = sum(x, axes).   gx = g broadcast back over `axes`."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.args = (x.shape, axes, keepdim)
        return np.sum(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.args
        return _restore(g, shape, axes, keepdim)


class Mean(Op):
    """z = mean(x, axes).   gx = g / n broadcast back over `axes` (n: reduced elements)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.args = (x.shape, axes, keepdim)
        return np.mean(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.args
        n = 1
        for a in axes:
            n *= shape[a]
        # (scaled before it is broadcast: the multiply runs over the reduced array only)
        return _restore(g * (1.0 / (n if n > 0 else 1)), shape, axes, keepdim)


class Prod(Op):
    """z = prod(x, axes).   gx = g * (product of the other elements)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.args = (axes, keepdim)
        out = np.prod(x, axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.args
        gk = _restore(g, x.shape, axes, keepdim)
        outk = _restore(out, x.shape, axes, keepdim)
        if isinstance(x, np.ndarray) and _needs_exact_others(x, out):
            return gk * _prod_of_others(x, axes)
        if not isinstance(x, np.ndarray) and (x._data == 0).any():
            raise RuntimeError("double backward of prod over inputs containing zeros is not "
                               "supported")
        return gk * (outk / x)  # (out / x first: g * out can underflow where out / x cannot)


def _needs_exact_others(x, out):
    """out / x is not the product of the others when some x is zero, or when x or the product
    is subnormal (it has lost precision): then the products are taken directly."""
    if x.dtype.kind != "f":
        return bool((x == 0).any())
    tiny = np.finfo(x.dtype).tiny
    return bool((np.abs(x) < tiny).any() or (np.abs(out) < tiny).any())


def _prod_of_others(x, axes):
    """For each element, the product of the other elements in its reduction group (exact with
    zeros): exclusive cumulative products from both sides over the flattened group."""
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, rest + list(axes))
    lead = moved.shape[:len(rest)]
    flat = moved.reshape(lead + (-1,))
    ones = np.ones(lead + (1,), x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(moved.shape)
    return np.transpose(others, np.argsort(rest + list(axes)))


# ---------------------------------------------------------------------- max and min
class AMax(Op):
    """z = max(x, axes).   gx = g split evenly among the elements equal to the maximum."""

    _reduce = staticmethod(np.amax)

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.args = (axes, keepdim)
        out = ctx._reduce(x, axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return _even_split(g, x, out, *ctx.args)


class AMin(AMax):
    """z = min(x, axes).   gx = g split evenly among the elements equal to the minimum."""

    _reduce = staticmethod(np.amin)


def _even_split(g, x, out, axes, keepdim):
    if isinstance(x, np.ndarray) and not np.isnan(out).any():
        kept = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
        hit = x == out.reshape(kept)
        g = g.reshape(kept)
        if np.count_nonzero(hit) != out.size:  # ties: each gets an equal share
            g = g / np.add.reduce(hit, axis=axes, keepdims=True, dtype=x.dtype)
        gx = np.zeros(x.shape, x.dtype)
        np.copyto(gx, g, where=hit)  # (a masked copy: multiplying by the mask is slower)
        return gx
    # Tensors (create_graph), or a nan maximum: no element equals it, and the group's
    # gradient is nan, as in PyTorch
    hit = x == _restore(out, x.shape, axes, keepdim)
    hit_arr = hit._data if isinstance(hit, Tensor) else hit
    count = np.sum(hit_arr, axis=axes, keepdims=True).astype(x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _restore(g, x.shape, axes, keepdim) * (hit_arr / count).astype(x.dtype)


class MaxDim(Op):
    """values, indices = max(x, dim).   gx = g at the chosen index, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        idx = (np.argmax if largest else np.argmin)(x, axis=dim)
        idx_k = np.expand_dims(idx, dim)
        values = np.take_along_axis(x, idx_k, axis=dim)
        if not keepdim:
            values = np.squeeze(values, axis=dim)
        else:
            idx = idx_k
        ctx.args = (x.shape, dim, keepdim)
        ctx.chosen = idx_k  # the chosen index along dim, shaped as keepdim=True
        ctx.mark_non_differentiable(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g):
        shape, dim, keepdim = ctx.args
        if isinstance(g, np.ndarray):
            gx = np.zeros(shape, g.dtype)
            np.put_along_axis(gx, ctx.chosen, g if keepdim else np.expand_dims(g, dim), dim)
            return gx
        return _restore(g, shape, (dim,), keepdim) * _one_hot_along(ctx.chosen, shape, dim)


def _one_hot_along(idx_k, shape, dim):
    positions = np.arange(shape[dim]).reshape([-1 if a == dim else 1 for a in range(len(shape))])
    return positions == idx_k


# ---------------------------------------------------------------------- fused reductions
class LogSumExp(Op):
    """z = log(sum(exp(x), axes)).   gx = g * exp(x - z).

    NOTE: fused and max-shifted so large inputs never overflow; an all -inf group gives -inf.
    """

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        m = np.amax(x, axis=axes, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
        s = np.sum(np.exp(x - m), axis=axes, keepdims=True)
        out = np.log(s) + m
        if not keepdim:
            out = np.squeeze(out, axis=axes)
        ctx.args = (axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.args
        if isinstance(x, np.ndarray):
            # NOTE: exp(x - out) loses precision when out is rounded at the scale of max|x|;
            # the max-shifted softmax is exact to an ulp.
            e = np.exp(x - np.amax(x, axis=axes, keepdims=True, initial=-np.inf))
            soft = e / np.sum(e, axis=axes, keepdims=True)
            return _restore(g, x.shape, axes, keepdim) * soft
        return _restore(g, x.shape, axes, keepdim) * _exp(x - _restore(out, x.shape, axes,
                                                                         keepdim))


class Norm2(Op):
    """z = sqrt(sum(x**2, axes)).   gx = g * x / z  (0 where z == 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
        ctx.args = (axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.args
        zk = _restore(out, x.shape, axes, keepdim)
        safe = _where(zk == 0, 1.0, zk)
        return _restore(g, x.shape, axes, keepdim) * x / safe


class Cumsum(Op):
    """z_i = sum_{j<=i} x_j along dim.   gx = reverse cumulative sum of g."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return _reverse_cumsum(g, ctx.dim)


def _reverse_cumsum_tensor(t, dim):
    from .shape import flip
    return flip(cumsum(flip(t, (dim,)), dim), (dim,))


_reverse_cumsum = dual(_reverse_cumsum_tensor,
                       lambda a, dim: np.flip(np.cumsum(np.flip(a, dim), axis=dim), dim))


# ---------------------------------------------------------------------- public functions
def _axes(input, dim, op, axis=None):
    if axis is not None:
        dim = axis
    return normalize_dims(dim, input._data.ndim, op)


def _int_to_int64(input, dtype):
    if dtype is not None:
        return input.to(dtype)
    if input._data.dtype.kind in "biu" and input._data.dtype != dtypes.int64:
        return _make(input._data.astype(np.int64), None)
    return input


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Sum over `dim` (all axes when None). Integer and bool inputs sum to int64."""
    keepdim = keepdim if keepdims is None else keepdims
    input = _int_to_int64(input, dtype)
    return Sum.apply(input, _axes(input, dim, "sum", axis), bool(keepdim))


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Mean over `dim`; integer inputs raise, as in PyTorch, unless `dtype` is given."""
    keepdim = keepdim if keepdims is None else keepdims
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input._data.dtype}")
    return Mean.apply(input, _axes(input, dim, "mean", axis), bool(keepdim))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    input = _int_to_int64(input, dtype)
    return Prod.apply(input, _axes(input, dim, "prod"), bool(keepdim))


def amax(input, dim=(), keepdim=False):
    """Maximum over `dim` (every axis for `()`/None); ties share the gradient evenly."""
    axes = _axes(input, dim, "amax")
    _check_nonempty(input, "amax", axes)
    return AMax.apply(input, axes, bool(keepdim))


def amin(input, dim=(), keepdim=False):
    axes = _axes(input, dim, "amin")
    _check_nonempty(input, "amin", axes)
    return AMin.apply(input, axes, bool(keepdim))


def _check_nonempty(input, op, axes=None):
    shape = input._data.shape
    if axes is None:
        axes = tuple(range(len(shape)))
    if builtins.any(shape[a] == 0 for a in axes):
        raise IndexError(f"{op}(): Expected reduction over a non-empty dim, but the input of "
                         f"shape {tuple(shape)} has size 0 along dims {axes}")


def _max_min(input, dim, keepdim, other, largest, op, axis, keepdims):
    if axis is not None:  # NumPy-style call from a dual backward formula: values only
        k = bool(keepdims)
        return (amax if largest else amin)(input, axis, k)
    if isinstance(other, Tensor) or (dim is not None and isinstance(dim, Tensor)):
        from .elementwise import maximum, minimum
        return (maximum if largest else minimum)(input, other if other is not None else dim)
    if dim is None:
        _check_nonempty(input, op)
        return (AMax if largest else AMin).apply(input, _axes(input, None, op), False)
    d = normalize_dim(dim, input._data.ndim, op)
    if input._data.shape and input._data.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size")
    if input._data.ndim == 0:
        return ReturnTypes(input, _make(np.zeros((), np.int64), None))
    values, indices = MaxDim.apply(input, d, bool(keepdim), largest)
    return ReturnTypes(values, indices)


def max(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):
    """`max(x)`: the largest value; `max(x, dim)`: `(values, indices)`; `max(x, y)`: maximum."""
    return _max_min(input, dim, keepdim, other, True, "max", axis, keepdims)


def min(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):
    return _max_min(input, dim, keepdim, other, False, "min", axis, keepdims)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over `dim` with Bessel's `correction` (1 by default, like PyTorch)."""
    if isinstance(unbiased, (int, tuple, list)) and not isinstance(unbiased, bool):
        dim, unbiased = unbiased, None  # var(x, dim) positional form
    c = _correction(unbiased, correction)
    axes = _axes(input, dim, "var")
    n = 1
    for a in axes:
        n *= input._data.shape[a]
    x = to_float(input)
    centered = sub(x, Mean.apply(x, axes, True))
    total = Sum.apply(mul(centered, centered), axes, bool(keepdim))
    return div(total, float(builtins_max(n - c, 0)))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt(var)."""
    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def builtins_max(a, b):
    return a if a > b else b


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over `dim`, computed stably."""
    x = to_float(input)
    return LogSumExp.apply(x, _axes(x, dim, "logsumexp"), bool(keepdim))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector norms over `dim` (all elements when None): p = 2/'fro', 1, inf, -inf, or any p > 0."""
    x = to_float(input) if dtype is None else input.to(dtype)
    axes = _axes(x, dim, "norm")
    if p in ("fro", 2, 2.0, None):
        return Norm2.apply(x, axes, bool(keepdim))
    if p in (1, 1.0):
        return Sum.apply(_abs(x), axes, bool(keepdim))
    if p == math.inf:
        return AMax.apply(_abs(x), axes, bool(keepdim))
    if p == -math.inf:
        return AMin.apply(_abs(x), axes, bool(keepdim))
    if p == 0:
        return _make(np.sum(x._data != 0, axis=axes, keepdims=keepdim).astype(x.dtype), None)
    if isinstance(p, str):
        raise ValueError(f"norm(): unsupported norm type {p!r}")
    return _pow(Sum.apply(_pow(_abs(x), float(p)), axes, bool(keepdim)), 1.0 / p)


def cumsum(input, dim, *, dtype=None):
    input = _int_to_int64(input, dtype)
    d = normalize_dim(dim, input._data.ndim, "cumsum")
    if input._data.ndim == 0:
        return input.clone()
    return Cumsum.apply(input, d)


def cumprod(input, dim, *, dtype=None):
    """Cumulative product along `dim`; with grad it is composed of products, so zeros are exact."""
    input = _int_to_int64(input, dtype)
    d = normalize_dim(dim, input._data.ndim, "cumprod")
    if input._data.ndim == 0 or input._data.shape[d] == 0:
        return input.clone()
    return _make(np.cumprod(input._data, axis=d), None) if not input._requires_grad else \
        _cumprod_differentiable(input, d)


def _cumprod_differentiable(x, d):
    from .shape import unbind, stack
    parts = unbind(x, d)
    outs = [parts[0]]
    for p in parts[1:]:
        outs.append(mul(outs[-1], p))
    return stack(outs, d)


# ---------------------------------------------------------------------- no gradient
def argmax(input, dim=None, keepdim=False):
    if dim is None:
        return _make(np.asarray(np.argmax(input._data)), None)
    d = normalize_dim(dim, input._data.ndim, "argmax")
    return _make(np.asarray(np.argmax(input._data, axis=d, keepdims=keepdim)), None)


def argmin(input, dim=None, keepdim=False):
    if dim is None:
        return _make(np.asarray(np.argmin(input._data)), None)
    d = normalize_dim(dim, input._data.ndim, "argmin")
    return _make(np.asarray(np.argmin(input._data, axis=d, keepdims=keepdim)), None)


def all(input, dim=None, keepdim=False):
    axes = None if dim is None else _axes(input, dim, "all")
    return _make(np.asarray(np.all(input._data, axis=axes, keepdims=keepdim)), None)


def any(input, dim=None, keepdim=False):
    axes = None if dim is None else _axes(input, dim, "any")
    return _make(np.asarray(np.any(input._data, axis=axes, keepdims=keepdim)), None)


def count_nonzero(input, dim=None):
    axes = None if dim is None else _axes(input, dim, "count_nonzero")
    return _make(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64), None)
