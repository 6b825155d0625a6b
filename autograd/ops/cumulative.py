"""Running reductions: cummax and cummin (values read with `gather`, so the gradient is added
at the running arg-extremum), and logcumsumexp (one stable node)."""
import numpy as np

from ..function import Op
from ..tensor import Tensor, _make
from ._util import normalize_dim, to_float
from .elementwise import exp, where
from .index import gather
from .reduce import ReturnTypes, sum as _sum
from .shape import movedim, unsqueeze

__all__ = ["cummax", "cummin", "logcumsumexp"]


def _running_index(a, d, largest):
    """Index of the running maximum (minimum) along `d`: a later equal value takes over, and
    from the first nan on the value is nan, at the index of the latest nan, as PyTorch."""
    moved = np.moveaxis(a, d, 0)
    out = np.empty(moved.shape, np.int64)
    if moved.shape[0] == 0:
        return np.moveaxis(out, 0, d)
    best, idx = moved[0].copy(), np.zeros(moved.shape[1:], np.int64)
    out[0] = idx
    floats = a.dtype.kind == "f"
    for i in range(1, moved.shape[0]):
        v = moved[i]
        better = v >= best if largest else v <= best
        if floats:
            better = np.isnan(v) | (~np.isnan(best) & better)
        best = np.where(better, v, best)
        idx = np.where(better, i, idx)
        out[i] = idx
    return np.moveaxis(out, 0, d)


def _cum_extreme(input, dim, largest, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(input).__name__}")
    x = input._data
    d = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return ReturnTypes(input.clone(), _make(np.zeros((), np.int64), None))
    idx = _make(_running_index(x, d, largest), None)
    return ReturnTypes(gather(input, d, idx), idx)


def cummax(input, dim):
    """`(values, indices)` of the running maximum along `dim`; each value's gradient goes to
    the entry its index names."""
    return _cum_extreme(input, dim, True, "cummax")


def cummin(input, dim):
    """`(values, indices)` of the running minimum along `dim`."""
    return _cum_extreme(input, dim, False, "cummin")


# ---------------------------------------------------------------------- logcumsumexp
def _reverse_logcumsumexp(a, d):
    return np.flip(np.logaddexp.accumulate(np.flip(a, d), axis=d), d)


class LogCumSumExp(Op):
    """z_i = log(sum_{j<=i} exp(x_j)) along dim.   gx_j = sum_{i>=j} g_i exp(x_j - z_i).

    NOTE: fused for stability: the forward accumulates with logaddexp, never exponentiating;
    the backward splits g into its positive and negative parts and sums each as a reversed
    logcumsumexp in log space (PyTorch's method). Under create_graph the same sum is written
    out as an (n, n) masked matrix of weights exp(x_j - z_i) <= 1 (exact, differentiable).
    """

    @staticmethod
    def forward(ctx, x, dim):
        out = np.logaddexp.accumulate(x, axis=dim)
        ctx.dim = dim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        d = ctx.dim
        if not isinstance(x, np.ndarray):
            return _logcumsumexp_grad_tensor(g, x, out, d), None
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = _reverse_logcumsumexp(np.log(np.maximum(g, 0)) - out, d)
            neg = _reverse_logcumsumexp(np.log(np.maximum(-g, 0)) - out, d)
            gx = np.exp(x + pos) - np.exp(x + neg)
        return np.where(np.isneginf(x), 0, gx).astype(x.dtype, copy=False), None


def _logcumsumexp_grad_tensor(g, x, out, d):
    x, out, g = (movedim(t, d, -1) for t in (x, out, g))
    n = x.shape[-1]
    below = _make(np.tril(np.ones((n, n), bool)), None)  # [i, j]: j <= i
    diff = unsqueeze(x, -2) - unsqueeze(out, -1)  # [.., i, j] = x_j - z_i
    weights = exp(where(below, diff, float("-inf")))
    return movedim(_sum(unsqueeze(g, -1) * weights, -2), -1, d)


def logcumsumexp(input, dim):
    """log(cumsum(exp(x))) along `dim`, computed stably."""
    if not isinstance(input, Tensor):
        raise TypeError(f"logcumsumexp(): expected a Tensor, got {type(input).__name__}")
    x = to_float(input)
    d = normalize_dim(dim, x._data.ndim, "logcumsumexp")
    if x._data.ndim == 0:
        return x.clone()
    return LogCumSumExp.apply(x, d)
