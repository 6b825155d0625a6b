"""Triangular solves: `linalg.solve_triangular`, with a backward written in matmul,
tril/triu and the solve itself, so it runs on arrays (first order) and on Tensors
(create_graph: double backward)."""
import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import dual, unbroadcast
from .sort import tril as _tril_tensor, triu as _triu_tensor

__all__ = ["solve_triangular"]

_tril = dual(lambda t, k=0: _tril_tensor(t, k), lambda a, k=0: np.tril(a, k))
_triu = dual(lambda t, k=0: _triu_tensor(t, k), lambda a, k=0: np.triu(a, k))


def _mT(x):
    return x.swapaxes(-1, -2)


def _triangle(a, upper, unit):
    """The triangle of `a` the solve reads (with ones on the diagonal when `unit`)."""
    tri = np.triu(a, 1 if unit else 0) if upper else np.tril(a, -1 if unit else 0)
    if unit:
        tri = tri + np.eye(a.shape[-1], dtype=a.dtype)
    return tri


class SolveTriangular(Op):
    """X = T^-1 B for the triangle T of A (lower, or upper with `upper`; unit diagonal with
    `unit`: A's diagonal is not read).   gB = T^-T g,  gA = -tri(gB X^T) on the entries read.

    Shapes: A: (*, n, n)  B: (*, n, k)  ->  (*, n, k)  (batch dims broadcast)
    """

    @staticmethod
    def forward(ctx, a, b, upper, unit):
        ctx.flags = (upper, unit)
        out = np.linalg.solve(_triangle(a, upper, unit), b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        upper, unit = ctx.flags
        na, nb = ctx.needs_input_grad[:2]
        gb = _solve(_mT(a), g, not upper, unit)
        ga = None
        if na:
            gbx = gb @ _mT(out)
            k = (1 if upper else -1) if unit else 0
            ga = unbroadcast(-(_triu(gbx, k) if upper else _tril(gbx, k)), a.shape)
        if nb:
            gb = unbroadcast(gb, out.shape[:-2] + (a.shape[-1], out.shape[-1]))
        return ga, gb if nb else None, None, None


def _solve(a, b, upper, unit):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return SolveTriangular.apply(a, b, upper, unit)
    return np.linalg.solve(_triangle(a, upper, unit), b)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (`left=False`: X A = B) for a triangular A: only its lower triangle (or
    upper, with `upper`) is read, and with `unitriangular` its diagonal is taken as ones.

    Shapes: A: (*, n, n)  B: (*, n, k) (`left=False`: (*, k, n))  ->  like B; batch dims
    broadcast.
    """
    for name, t in (("A", A), ("B", B)):
        if not isinstance(t, Tensor):
            raise TypeError(f"linalg.solve_triangular(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
        if t.dtype.kind != "f":
            raise RuntimeError(f"linalg.solve_triangular: Expected a floating point tensor as "
                               f"input. Got {t.dtype}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.solve_triangular: A must be batches of square matrices, got "
                           f"shape {tuple(A.shape)}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, "
                           f"but found A of type {A.dtype} and B of type {B.dtype} instead")
    if not left:
        return _mT(solve_triangular(_mT(A), _mT(B), upper=not upper,
                                    unitriangular=unitriangular))
    if B.ndim < 2 or B.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation AX = B ({tuple(A.shape)} and {tuple(B.shape)})")
    return SolveTriangular.apply(A, B, bool(upper), bool(unitriangular))
