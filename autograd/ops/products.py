"""Scaled and chained matrix products composed from matmul: addmv, baddbmm, addbmm,
chain_matmul and multi_dot."""
import numpy as np

from ..tensor import Tensor
from .linalg import bmm, matmul, mm, mv
from .reduce import sum as _sum

__all__ = ["addmv", "baddbmm", "addbmm", "chain_matmul", "multi_dot"]


def _scaled_sum(input, prod, beta, alpha):
    """beta * input + alpha * prod; with beta == 0 the input is ignored (nan included), as
    PyTorch."""
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(prod.shape))
        return prod.expand(shape) if tuple(prod.shape) != shape else prod
    return (input * beta if beta != 1 else input) + prod


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec).   Shapes: (n,) or broadcastable, (n, m), (m,) -> (n,)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * bmm(batch1, batch2).   Shapes: (b, n, m), (b, m, p) -> (b, n, p)."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b].   Shapes: (b, n, m), (b, m, p) ->
    (n, p)."""
    return _scaled_sum(input, _sum(bmm(batch1, batch2), 0), beta, alpha)


def _check_list(tensors, op):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError(f"{op}(): expected at least one tensor")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensors, but argument {i} is {type(t).__name__}")
    return tensors


def chain_matmul(*matrices):
    """The product of 2-D matrices, left to right (deprecated in PyTorch for
    linalg.multi_dot)."""
    matrices = _check_list(matrices, "chain_matmul")
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul(): Tensor {i} must be 2D, got {m.ndim}D")
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out


def multi_dot(tensors):
    """The product of two or more matrices; the first may be a 1-D row vector and the last a
    1-D column vector (those dims are dropped from the result)."""
    tensors = _check_list(tuple(tensors), "linalg.multi_dot")
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            where = "first and last tensors" if i in (0, len(tensors) - 1) else "tensor"
            raise RuntimeError(f"multi_dot(): {where} {i} must be "
                               f"{'1D or 2D' if len(allowed) == 2 else '2D'} but got {t.ndim}D")
    out = tensors[0]
    for t in tensors[1:]:
        if out.shape[-1] != t.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors cannot be multiplied: shapes "
                               f"{tuple(out.shape)} and {tuple(t.shape)}")
        out = matmul(out, t)
    return out
