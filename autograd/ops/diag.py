"""Diagonals: diagonal, diag_embed, diag, trace, and the in-place fill_diagonal_, tril_, triu_.

`diagonal` reads a diagonal of two dims (it becomes the last dim of the result); `diag_embed`
writes the last dim of its input onto a diagonal of two new dims. Each is the other's backward.
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import dual, normalize_dim
from .reduce import sum as _sum

__all__ = ["diagonal", "diag_embed", "diag", "trace", "fill_diagonal_", "tril_", "triu_"]


def _diag_positions(shape, offset, d1, d2):
    """Row and column indices of diagonal `offset` in dims (d1, d2) of `shape`."""
    start1, start2 = max(-offset, 0), max(offset, 0)
    n = max(0, min(shape[d1] - start1, shape[d2] - start2))
    return np.arange(start1, start1 + n), np.arange(start2, start2 + n)


def _embed_array(src, shape, offset, d1, d2):
    """zeros(shape) with `src` (diagonal dim last) written onto diagonal `offset` of (d1, d2)."""
    out = np.zeros(shape, src.dtype)
    rows, cols = _diag_positions(shape, offset, d1, d2)
    np.moveaxis(out, (d1, d2), (-2, -1))[..., rows, cols] = src
    return out


class Diagonal(Op):
    """z = the diagonal `offset` of dims (d1, d2) of x, as the last dim.
    gx = g embedded into zeros of x's shape on that diagonal.

    Shapes: x: (..., n1, ..., n2, ...)  ->  (..., L) with L the diagonal's length.
    """

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return np.diagonal(x, offset, d1, d2).copy()

    @staticmethod
    def backward(ctx, g):
        return _embed(g, *ctx.args), None, None, None


class DiagEmbed(Op):
    """z = zeros(shape) with x's last dim on diagonal `offset` of dims (d1, d2).
    gx = that diagonal of g.

    Shapes: x: (*, L)  ->  `shape` (x's other dims in order, two new dims d1, d2).
    """

    @staticmethod
    def forward(ctx, x, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        return _embed_array(x, shape, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        return _diagonal(g, *ctx.args), None, None, None, None


_embed = dual(lambda t, shape, offset, d1, d2: DiagEmbed.apply(t, shape, offset, d1, d2),
              _embed_array)
_diagonal = dual(lambda t, offset, d1, d2: Diagonal.apply(t, offset, d1, d2),
                 lambda a, offset, d1, d2: np.diagonal(a, offset, d1, d2).copy())


def _check_tensor(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(input).__name__}")


def _two_dims(dim1, dim2, ndim, op):
    d1, d2 = normalize_dim(dim1, ndim, op), normalize_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal `offset` (above the main one when > 0) of dims `dim1`, `dim2`, appended as
    the last dim. Shapes: (..., n1, ..., n2, ...) -> (..., L)."""
    _check_tensor(input, "diagonal")
    if input._data.ndim < 2:
        raise RuntimeError(f"diagonal(): expected a tensor with at least 2 dimensions, got shape "
                           f"{tuple(input.shape)}")
    d1, d2 = _two_dims(dim1, dim2, input._data.ndim, "diagonal")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonal `offset` of dims `dim1`, `dim2` holds the last dim of `input`
    (zeros elsewhere). Shapes: (*, L) -> (*, L + |offset|, L + |offset|) for the default dims."""
    _check_tensor(input, "diag_embed")
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("diag_embed(): expected a tensor with at least 1 dimension, got a "
                           "0-d tensor")
    d1, d2 = _two_dims(dim1, dim2, x.ndim + 1, "diag_embed")
    n = x.shape[-1] + abs(int(offset))
    rest = iter(x.shape[:-1])
    shape = tuple(n if a in (d1, d2) else next(rest) for a in range(x.ndim + 1))
    return DiagEmbed.apply(input, shape, int(offset), d1, d2)


def diag(input, diagonal=0):
    """1-D input: a square matrix with `input` on diagonal `diagonal`; 2-D input: that
    diagonal of the matrix."""
    _check_tensor(input, "diag")
    if input._data.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input._data.ndim == 2:
        return Diagonal.apply(input, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input._data.ndim}D")


def trace(input):
    """The sum of the main diagonal of a matrix (integer inputs sum to int64)."""
    _check_tensor(input, "trace")
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    return _sum(diagonal(input))


# ---------------------------------------------------------------------- in-place methods
def _fill_mask(shape, wrap):
    """Where fill_diagonal_ writes: entries with all indices equal; for a tall matrix with
    `wrap`, the diagonal restarts every `cols + 1` rows (PyTorch's flat stride)."""
    mask = np.zeros(shape, bool)
    if len(shape) == 2:
        rows, cols = shape
        step = cols + 1
        end = rows * cols if wrap else min(rows, cols) * cols
        mask.reshape(-1)[0:end:step] = True
    else:
        idx = np.arange(shape[0])
        mask[(idx,) * len(shape)] = True
    return mask


def fill_diagonal_(input, fill_value, wrap=False):
    """Write `fill_value` onto the main diagonal in place (every dim of the same size when
    there are more than two)."""
    from .. import inplace
    from .index import masked_fill
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"fill_diagonal_(): dimensions must larger than 1, got shape "
                           f"{tuple(shape)}")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError(f"fill_diagonal_(): all dimensions of input must be of equal length, "
                           f"got shape {tuple(shape)}")
    mask = _fill_mask(shape, wrap)
    return inplace.apply_inplace(input, "fill_diagonal_",
                                 lambda x: masked_fill(x, mask, fill_value))


def tril_(input, diagonal=0):
    """In-place tril."""
    from .. import inplace
    from .sort import tril
    return inplace.apply_inplace(input, "tril_", lambda x: tril(x, diagonal))


def triu_(input, diagonal=0):
    """In-place triu."""
    from .. import inplace
    from .sort import triu
    return inplace.apply_inplace(input, "triu_", lambda x: triu(x, diagonal))
