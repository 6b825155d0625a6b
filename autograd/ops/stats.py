"""Order statistics and nan-aware reductions: nansum, nanmean, median, nanmedian, kthvalue,
mode, quantile, nanquantile, aminmax.

Selections are made on NumPy arrays (stable sorts, nan as the largest value, as PyTorch) and
their values are read with `gather`, so the gradient goes to the selected element (gather's
backward) and double backward comes for free. The global median shares its gradient evenly
among the elements equal to it, as PyTorch does.
"""
import builtins
import collections

import numpy as np

from .. import dtypes
from ..function import Op
from ..tensor import Tensor, _make
from ._util import normalize_dim
from .elementwise import add, isnan, mul, sub, where
from .index import gather
from .reduce import ReturnTypes, amax, amin, sum as _sum
from .shape import expand, movedim, reshape, squeeze, unsqueeze

__all__ = ["nansum", "nanmean", "median", "nanmedian", "kthvalue", "mode", "quantile",
           "nanquantile", "aminmax"]

MinMax = collections.namedtuple("return_types", ["min", "max"])


def _check_tensor(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(input).__name__}")


# ---------------------------------------------------------------------- nan-aware sums
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over `dim` treating nan as zero (nan entries get a zero gradient)."""
    _check_tensor(input, "nansum")
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind == "f":
        x = where(isnan(x), 0.0, x)
    return _sum(x, dim, keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over `dim` of the non-nan entries (nan where every entry is nan)."""
    _check_tensor(input, "nanmean")
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{x._data.dtype}")
    count = _sum(_make(~np.isnan(x._data), None), dim, keepdim)
    with np.errstate(invalid="ignore", divide="ignore"):
        return nansum(x, dim, keepdim) / count.to(x.dtype)


# ---------------------------------------------------------------------- selections
class SelectEvenly(Op):
    """z = x[mask] (all selected entries are equal).   gx = g * mask / count(mask).

    Used by the global median: the gradient is shared evenly among the entries equal to it.
    """

    @staticmethod
    def forward(ctx, x, value, weights):
        ctx.weights = weights
        return np.array(value, x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.weights, None, None


def _stable_order(a, axis):
    return np.argsort(a, axis=axis, kind="stable")


def _global_median(input, ignore_nan, op):
    a = input._data.reshape(-1)
    if a.size == 0:
        return _make(np.array(np.nan, a.dtype), None) if a.dtype.kind == "f" else \
            _make(np.zeros((), a.dtype), None)
    nans = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    valid = a.size - int(nans.sum()) if ignore_nan else a.size
    if (nans.any() and not ignore_nan) or valid == 0:
        mask = nans
        value = np.nan
    else:
        value = np.sort(a)[(valid - 1) // 2]
        mask = a == value
    if input._data.dtype.kind != "f":
        return _make(np.array(value, a.dtype), None)
    weights = (mask / mask.sum()).astype(a.dtype).reshape(input.shape)
    return SelectEvenly.apply(input, value, weights)


def _select(input, dim, keepdim, op, pick):
    """(values, indices) of the entry `pick(sorted_order, nan_count, n)` chooses along dim."""
    _check_tensor(input, op)
    x = input._data
    if x.ndim == 0:
        normalize_dim(dim, 0, op)
        pick(np.zeros((1,), np.int64), np.zeros((), np.int64), 1)  # validates k
        return ReturnTypes(input.clone(), _make(np.zeros((), np.int64), None))
    d = normalize_dim(dim, x.ndim, op)
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    moved = np.moveaxis(x, d, -1)
    order = _stable_order(moved, -1)
    nans = np.isnan(moved).sum(-1) if x.dtype.kind == "f" else np.zeros(moved.shape[:-1], int)
    pos = pick(order, nans, n)
    idx = np.take_along_axis(order, pos[..., None], -1).astype(np.int64)
    idx = np.moveaxis(idx, -1, d)
    values = gather(input, d, _make(idx, None))
    if not keepdim:
        values, idx = squeeze(values, d), np.squeeze(idx, d)
    return ReturnTypes(values, _make(idx, None))


def _median_pos(order, nans, n):
    # any nan: the first nan (stable order puts them last, in order); else the lower median
    return np.where(nans > 0, n - nans, (n - 1) // 2)


def _nanmedian_pos(order, nans, n):
    valid = n - nans
    return np.where(valid > 0, (valid - 1) // 2, 0)


def median(input, dim=None, keepdim=False):
    """`median(x)`: the lower median of all entries (nan if any is nan), 0-d, its gradient
    shared among the entries equal to it. `median(x, dim)`: `(values, indices)` along dim, the
    gradient going to the chosen index."""
    if dim is None:
        _check_tensor(input, "median")
        return _global_median(input, False, "median")
    return _select(input, dim, keepdim, "median", _median_pos)


def nanmedian(input, dim=None, keepdim=False):
    """median ignoring nan (nan only where every entry is nan)."""
    if dim is None:
        _check_tensor(input, "nanmedian")
        return _global_median(input, True, "nanmedian")
    return _select(input, dim, keepdim, "nanmedian", _nanmedian_pos)


def kthvalue(input, k, dim=-1, keepdim=False):
    """`(values, indices)` of the k-th smallest entry along `dim` (k counts from 1)."""
    def pick(order, nans, n):
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension "
                               f"{dim} (k = {k}, size {n})")
        return np.full(order.shape[:-1], int(k) - 1)
    return _select(input, dim, keepdim, "kthvalue", pick)


def mode(input, dim=-1, keepdim=False):
    """`(values, indices)` of the most frequent value along `dim` (the smallest among equally
    frequent ones) and the last index where it occurs, as PyTorch."""
    _check_tensor(input, "mode")
    x = input._data
    if x.ndim == 0:
        normalize_dim(dim, 0, "mode")
        return ReturnTypes(input.clone(), _make(np.zeros((), np.int64), None))
    d = normalize_dim(dim, x.ndim, "mode")
    if x.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    moved = np.moveaxis(x, d, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    idx = np.empty(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)  # sorted: ties pick the smallest
        best = values[np.argmax(counts)]
        hits = np.nonzero((row == best) | (np.isnan(row) & np.isnan(best))
                          if row.dtype.kind == "f" else row == best)[0]
        idx[r] = hits[-1]
    idx = np.moveaxis(idx.reshape(moved.shape[:-1] + (1,)), -1, d)
    values = gather(input, d, _make(idx, None))
    if not keepdim:
        values, idx = squeeze(values, d), np.squeeze(idx, d)
    return ReturnTypes(values, _make(idx, None))


# ---------------------------------------------------------------------- quantiles
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_args(input, q, interpolation, op):
    _check_tensor(input, op)
    if input._data.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got "
                           f"{input._data.dtype}")
    if input._data.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape "
                               f"{tuple(q.shape)}")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor, got "
                               f"{q._data.dtype} and {input._data.dtype}")
        qs, scalar = q._data.astype(np.float64).reshape(-1), q._data.ndim == 0
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        qs, scalar = np.array([float(q)]), True
    else:
        raise TypeError(f"{op}(): q must be a float or a Tensor, got {type(q).__name__}")
    if qs.size and ((qs < 0).any() or (qs > 1).any() or np.isnan(qs).any()):
        bad = qs[(qs < 0) | (qs > 1) | np.isnan(qs)][0]
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {bad}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}() interpolation must be one of {', '.join(_INTERPOLATIONS)}. "
                         f"Got {interpolation!r}")
    return qs, scalar


def _positions(qs, valid, interpolation, n, dtype):
    """Lower and upper sorted positions and the weight of the upper one, shaped (Q, *rows),
    computed in the input's dtype (as PyTorch: it decides where 'lower' and 'higher' jump)."""
    pos = qs.astype(dtype).reshape((-1,) + (1,) * valid.ndim) * (valid - 1).astype(dtype)
    lo, hi = np.floor(pos), np.ceil(pos)
    weight = pos - lo
    if interpolation == "lower":
        hi, weight = lo, np.zeros_like(pos)
    elif interpolation == "higher":
        lo, weight = hi, np.zeros_like(pos)
    elif interpolation == "nearest":
        lo = hi = np.round(pos)  # half to even, as torch.round
        weight = np.zeros_like(pos)
    elif interpolation == "midpoint":
        weight = np.where(hi > lo, 0.5, 0.0)
    clip = lambda p: np.clip(p, 0, n - 1).astype(np.int64)
    return clip(lo), clip(hi), weight


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op):
    qs, scalar = _quantile_args(input, q, interpolation, op)
    x, ndim = input, input._data.ndim
    if dim is None or ndim == 0:
        if dim is not None:
            normalize_dim(dim, 0, op)
        x, d = reshape(input, (-1,)), 0
    else:
        d = normalize_dim(dim, ndim, op)
    from .sort import sort
    s = movedim(sort(x, d).values, d, -1)  # (*rows, n), nan last
    n = s.shape[-1]
    nans = np.isnan(s._data).sum(-1)
    valid = n - nans if ignore_nan else np.full(nans.shape, n)
    lo, hi, weight = _positions(qs, valid, interpolation, n, input._data.dtype)
    s = expand(unsqueeze(s, 0), (len(qs),) + tuple(s.shape))
    value = squeeze(gather(s, -1, _make(lo[..., None], None)), -1)
    if (hi != lo).any():
        upper = squeeze(gather(s, -1, _make(hi[..., None], None)), -1)
        w = _make(weight.astype(input._data.dtype), None)
        value = add(value, mul(w, sub(upper, value)))
    invalid = (valid == 0) if ignore_nan else (nans > 0)
    if invalid.any():
        value = where(_make(np.broadcast_to(invalid, value.shape), None), float("nan"), value)
    if keepdim and ndim:
        value = reshape(value, (len(qs),) + (1,) * ndim) if dim is None else \
            unsqueeze(value, d + 1)
    return squeeze(value, 0) if scalar else value


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles along `dim` (of all entries when None): sorted values at position
    q * (n - 1), interpolated ('linear', 'lower', 'higher', 'midpoint', 'nearest'); nan where
    a reduced row holds nan. A 1-D `q` adds a leading dim of its size."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile ignoring nan (nan only where every entry of a row is nan)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def aminmax(input, *, dim=None, keepdim=False):
    """`(min, max)` over `dim` (every entry when None); ties share each gradient evenly."""
    _check_tensor(input, "aminmax")
    shape = input._data.shape
    axes = range(len(shape)) if dim is None else [normalize_dim(dim, len(shape), "aminmax")]
    if builtins.any(shape[a] == 0 for a in axes if shape):
        raise RuntimeError(f"aminmax(): cannot compute aminmax over an empty dimension as the "
                           f"operation has no identity (input of shape {tuple(shape)})")
    if dim is None:
        lo, hi = amin(input), amax(input)
        if keepdim:
            lo, hi = reshape(lo, (1,) * len(shape)), reshape(hi, (1,) * len(shape))
        return MinMax(lo, hi)
    return MinMax(amin(input, dim, keepdim), amax(input, dim, keepdim))
