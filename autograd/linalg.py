"""`torch.linalg`: norms, inverses, determinants, solvers and factorizations.

The functions with their own gradients live in `autograd.ops.decomp`; the norms are composed
from reductions. Singular input raises `LinAlgError`, a RuntimeError, as PyTorch's.
"""
import math

from .ops.arrange import linalg_cross as cross
from .ops.decomp import LinAlgError, SlogdetResult, cholesky, det, inv, slogdet, solve, svdvals
from .ops.diag import diagonal as _diagonal
from .ops.elementwise import abs as _abs
from .ops.linalg import matmul
from .ops.products import multi_dot
from .ops.reduce import amax, amin, norm as _norm, sum as _sum
from .ops.shape import movedim
from .ops.triangular import solve_triangular
from .ops.spectral import EighResult, QRResult, SVDResult, eigh, eigvalsh, qr, svd
from .ops.lstsq import (CholeskyExResult, InvExResult, LstsqResult, cholesky_ex, cond, inv_ex,
                        lstsq, matrix_rank, pinv, tensorinv, tensorsolve, vecdot)
from .ops.matrix_exp import matrix_exp
from .ops.matrices import matrix_power
from .ops.lu import (LUFactorExResult, LUFactorResult, LUResult, lu, lu_factor, lu_factor_ex,
                     lu_solve)

__all__ = ["LinAlgError", "SlogdetResult", "norm", "vector_norm", "matrix_norm", "inv", "det",
           "slogdet", "solve", "solve_triangular", "cholesky", "svdvals", "cross", "multi_dot",
           "matmul", "diagonal"]
__all__ += ["SVDResult", "EighResult", "QRResult", "LstsqResult", "InvExResult",
            "CholeskyExResult", "svd", "eigh", "eigvalsh", "qr", "pinv", "matrix_rank", "lstsq",
            "cond", "tensorinv", "tensorsolve", "vecdot", "inv_ex", "cholesky_ex", "matrix_exp",
            "matrix_power", "eig", "eigvals"]
from .ops.lstsq import householder_product
from .ops.lstsq import SolveExResult, solve_ex
__all__ += ["householder_product", "solve_ex", "SolveExResult"]
__all__ += ["LUResult", "LUFactorResult", "LUFactorExResult", "lu", "lu_factor", "lu_factor_ex",
            "lu_solve"]


def _complex_unsupported(op, A):
    raise TypeError(f"linalg.{op}: the eigenvalues of a general real matrix are complex in "
                    f"general, and complex tensors are not supported (input of shape "
                    f"{tuple(getattr(A, 'shape', ()))}, dtype {getattr(A, 'dtype', None)}); use "
                    f"linalg.eigh / linalg.eigvalsh for symmetric matrices")


def eig(A):
    """`torch.linalg.eig` returns complex tensors, which are not supported: raises TypeError."""
    _complex_unsupported("eig", A)


def eigvals(A):
    """`torch.linalg.eigvals` returns complex tensors, which are not supported: raises
    TypeError."""
    _complex_unsupported("eigvals", A)


def _check_float(x, op, dtype):
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype}")
    return x


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (the last two dims by default)."""
    return _diagonal(A, offset, dim1, dim2)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ord-norm over `dim` (every entry when None): ord = 2, 1, inf, -inf, 0 (the
    count of nonzeros) or any other real (sum |x|^ord)^(1/ord)."""
    x = _check_float(x, "linalg.vector_norm", dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if x.ndim == 0 and dim is None:
        dim = ()
    return _norm(x, ord, dim, keepdim)


def _matrix_dims(x, dim, op):
    if len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {tuple(dim)}")
    if x.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape "
                           f"{tuple(x.shape)}")
    d0, d1 = (int(d) % x.ndim if -x.ndim <= d < x.ndim else None for d in dim)
    if d0 is None or d1 is None:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                         f"[{-x.ndim}, {x.ndim - 1}], but got {tuple(dim)})")
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm over the two dims `dim`: 'fro', 'nuc' (sum of singular values), 2 / -2
    (largest / smallest singular value), 1 / -1 (max / min column abs-sum), inf / -inf (max /
    min row abs-sum)."""
    x = _check_float(A, "linalg.matrix_norm", dtype)
    d0, d1 = _matrix_dims(x, dim, "linalg.matrix_norm")
    if ord == "fro":
        return _norm(x, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(movedim(x, (d0, d1), (-2, -1)))
        out = _sum(s, -1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
    elif ord in (1, -1, math.inf, -math.inf):
        along, across = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = _sum(_abs(x), along, True)
        out = (amax if ord > 0 else amin)(sums, across, True)
        return out if keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-D input, or an int `dim`) or a matrix norm (2-D input, or a 2-tuple
    `dim`); with neither `ord` nor `dim`, the 2-norm of all entries."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                       f"or 2D. Got {A.ndim}D.")
