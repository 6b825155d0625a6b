"""Distances composed from differences and norms: dist and cdist.

The p = 2 norm is the `Norm2` node, whose gradient is 0 at a zero distance, as PyTorch's; other
p give the same zero gradient there and at coordinates that do not differ.
"""
import math

import numpy as np

from ..tensor import Tensor, _make
from ._util import promote
from .elementwise import abs as _abs, mul, pow as _pow, sub, where
from .reduce import AMax, Norm2, Sum
from .shape import reshape

__all__ = ["dist", "cdist"]


def dist(input, other, p=2):
    """The p-norm of `input - other` (broadcast), as a 0-d tensor."""
    a, b = promote(input, other)
    return _pnorm_last(reshape(sub(a, b), (-1,)), p)


def _pnorm_last(d, p):
    """The p-norm of the last dim of a difference tensor `d`."""
    axes = (d.ndim - 1,)
    if p == 2:
        return Norm2.apply(d, axes, False)
    if p == 1:
        return Sum.apply(_abs(d), axes, False)
    if p == math.inf:
        return AMax.apply(_abs(d), axes, False)
    if p == 0:
        # the count of differing coordinates; the zero product keeps the graph (gradient 0)
        count = _make(np.count_nonzero(d._data, axis=-1).astype(d.dtype), None)
        return count + Sum.apply(mul(d, 0.0), axes, False)
    # |d|^p and its root have infinite derivatives at 0 for some p: zero differences and zero
    # distances take constant branches, so their gradient is 0 (as PyTorch's), never nan
    differs = d != 0
    one, zero = d.new_ones(()), d.new_zeros(())
    powered = where(differs, _pow(_abs(where(differs, d, one)), float(p)), zero)
    total = Sum.apply(powered, axes, False)
    nonzero = total > 0
    root = _pow(where(nonzero, total, one), 1.0 / p)
    return where(nonzero, root, zero)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of `x1` and of `x2` (batch dims broadcast).

    Shapes: x1: (*, P, M)  x2: (*, R, M)  ->  (*, P, R).
    """
    for name, t in (("X1", x1), ("X2", x2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"cdist(): expected Tensors, got {type(t).__name__} for {name}")
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1.dtype.kind != "f" or x2.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype}, "
                           f"X2 got: {x2.dtype}")
    if not p >= 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    a, b = promote(x1, x2)
    diff = sub(a.unsqueeze(-2), b.unsqueeze(-3))  # (*, P, R, M)
    return _pnorm_last(diff, p)
