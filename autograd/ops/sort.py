"""Order and triangles: sort, argsort, topk (values picked by `gather`, so their gradient is
gather's scatter), tril and triu.

Sorting is stable: equal values keep their order (ascending), or their order among themselves
(descending), and nan sorts as the largest value, as PyTorch does.
"""
import collections

import numpy as np

from ..function import Op
from ..tensor import Tensor, _make
from ._util import dual, normalize_dim
from .index import gather

__all__ = ["sort", "argsort", "topk", "tril", "triu"]

SortResult = collections.namedtuple("return_types", ["values", "indices"])


def _order(a, dim, descending):
    """Indices that sort `a` along `dim`: stable, nan last (ascending) or first (descending)."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # reversing a stable ascending sort of the reversed array keeps equal values in their
    # original order and puts nan first
    n = a.shape[dim]
    flipped = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return (n - 1) - np.flip(flipped, dim)


def _check(input, dim, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(input).__name__}")
    if input._data.ndim == 0:
        return None
    return normalize_dim(dim, input._data.ndim, op)


def argsort(input, dim=-1, descending=False, stable=False):
    """Indices (int64) that sort `input` along `dim`."""
    d = _check(input, dim, "argsort")
    if d is None:
        return _make(np.zeros((), np.int64), None)
    return _make(_order(input._data, d, descending).astype(np.int64, copy=False), None)


def sort(input, dim=-1, descending=False, stable=False):
    """`(values, indices)` of `input` sorted along `dim`; values carry the gradient."""
    d = _check(input, dim, "sort")
    if d is None:
        return SortResult(input, _make(np.zeros((), np.int64), None))
    idx = _make(_order(input._data, d, descending).astype(np.int64, copy=False), None)
    return SortResult(gather(input, d, idx), idx)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """`(values, indices)` of the `k` largest (or smallest) entries along `dim`, in order."""
    d = _check(input, dim, "topk")
    size = 1 if d is None else input._data.shape[d]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k <= size:
        raise RuntimeError(f"topk(): k ({k}) must be an int in [0, {size}] for dim {dim} of an "
                           f"input of shape {tuple(input.shape)}")
    if d is None:
        return SortResult(input, _make(np.zeros((), np.int64), None))
    order = _order(input._data, d, largest)
    idx = _make(np.take(order, np.arange(k), axis=d).astype(np.int64, copy=False), None)
    return SortResult(gather(input, d, idx), idx)


# ---------------------------------------------------------------------- triangles
class Tril(Op):
    """z = x with the entries above diagonal k of its last two dims set to 0.   gx = tril(g).
    (`_mask` is the triangle on arrays and on Tensors; set below, once both exist.)"""

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return ctx._mask(x, diagonal)

    @staticmethod
    def backward(ctx, g):
        return ctx._mask(g, ctx.diagonal), None


class Triu(Tril):
    """z = x with the entries below diagonal k of its last two dims set to 0.   gx = triu(g)."""


def _triangle(cls, input, diagonal, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(input).__name__}")
    if input._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(input.shape)}")
    if not isinstance(diagonal, (int, np.integer)) or isinstance(diagonal, bool):
        raise TypeError(f"{op}(): diagonal must be an int, got {type(diagonal).__name__}")
    return cls.apply(input, int(diagonal))


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (on and below diagonal `diagonal`)."""
    return _triangle(Tril, input, diagonal, "tril")


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (on and above diagonal `diagonal`)."""
    return _triangle(Triu, input, diagonal, "triu")


Tril._mask = staticmethod(dual(tril, np.tril))
Triu._mask = staticmethod(dual(triu, np.triu))
