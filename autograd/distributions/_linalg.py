"""The two matrix ops MultivariateNormal needs: Cholesky factor and triangular solve.

Both backward formulas are written with matmul, tril/triu, transposes and the triangular solve
itself, so they run on arrays (first order) and on Tensors (create_graph: double backward).
"""
import numpy as np

from ..function import Op
from ..ops._util import dual, unbroadcast
from ..ops.sort import tril as _tril_tensor, triu as _triu_tensor
from ..tensor import Tensor

__all__ = ["cholesky", "solve_triangular", "diagonal"]

_tril = dual(lambda t, k=0: _tril_tensor(t, k), lambda a, k=0: np.tril(a, k))
_triu = dual(lambda t, k=0: _triu_tensor(t, k), lambda a, k=0: np.triu(a, k))


def _mT(x):
    return x.swapaxes(-1, -2)


class SolveTriangular(Op):
    """X = A^-1 B for a triangular A (only its lower, or with `upper` its upper, triangle is
    read).   gB = A^-T g,  gA = -tri(gB X^T)  (the triangle A is read from).

    Shapes: A: (*, n, n)  B: (*, n, k)  ->  (*, n, k)  (batch dims broadcast)
    """

    @staticmethod
    def forward(ctx, a, b, upper):
        ctx.upper = upper
        tri = np.triu(a) if upper else np.tril(a)
        out = np.linalg.solve(tri, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        na, nb, _ = ctx.needs_input_grad
        gb = _solve(_mT(a), g, not ctx.upper)
        ga = None
        if na:
            gbx = gb @ _mT(out)
            ga = unbroadcast(-(_triu(gbx) if ctx.upper else _tril(gbx)), a.shape)
        return ga, unbroadcast(gb, out.shape[:-2] + (a.shape[-1], out.shape[-1])) if nb \
            else None, None


class Cholesky(Op):
    """L = cholesky(A), the lower factor of A = L L^T (A's lower triangle is read).
    gA = L^-T Phi L^-1 with Phi = (T + tril(T, -1)^T) / 2, T = tril(L^T gL): symmetric, as
    PyTorch's.

    Shapes: A: (*, n, n)  ->  (*, n, n)
    """

    @staticmethod
    def forward(ctx, a):
        try:
            out = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(f"cholesky: the factorization could not be completed because the "
                               f"input of shape {a.shape} is not positive-definite") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        t = _tril(_mT(out) @ g)
        phi = (t + _mT(_tril(t, -1))) * 0.5
        lt = _mT(out)
        return _mT(_solve(lt, _mT(_solve(lt, phi, True)), True))


def _solve(a, b, upper):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return SolveTriangular.apply(a, b, upper)
    return np.linalg.solve(np.triu(a) if upper else np.tril(a), b)


def cholesky(input):
    """Lower Cholesky factor of a batch of symmetric positive-definite matrices."""
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"cholesky: expected a batch of square matrices, got shape "
                           f"{tuple(input.shape)}")
    return Cholesky.apply(input)


def solve_triangular(A, B, *, upper):
    """X with A X = B for triangular A (PyTorch's `linalg.solve_triangular(A, B, upper=...)`,
    left side only)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or B.ndim < 2 or B.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"solve_triangular: expected A of shape (*, n, n) and B of shape "
                           f"(*, n, k), got {tuple(A.shape)} and {tuple(B.shape)}")
    return SolveTriangular.apply(A, B, bool(upper))


def diagonal(input):
    """The diagonal of the last two dims, (*, n, n) -> (*, n), composed (mask and sum)."""
    n = input.shape[-1]
    return (input * np.eye(n, dtype=input.dtype)).sum(-1)
