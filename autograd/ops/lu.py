"""LU with partial pivoting: linalg.lu (gradient through L and U), and built on it
lu_factor, lu_factor_ex, lu_solve, lu_unpack and the legacy torch.lu.

A = P L U with P a permutation, L unit lower-triangular (*, m, k), U upper-triangular (*, k, n),
k = min(m, n). Pivots follow LAPACK getrf: 1-based, row i was swapped with row pivots[i].
"""
import collections
import math

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import _make
from .sort import tril, triu
from .spectral import _matrix, _solve_tri, _tril, _triu
from .triangular import solve_triangular

__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack", "lu_legacy",
           "LUResult", "LUFactorResult", "LUFactorExResult"]

LUResult = collections.namedtuple("return_types", ["P", "L", "U"])
LUFactorResult = collections.namedtuple("return_types", ["LU", "pivots"])
LUFactorExResult = collections.namedtuple("return_types", ["LU", "pivots", "info"])


def _t(a):
    return _make(np.asarray(a), None)


def _mT(a):
    return a.swapaxes(-1, -2)


def _getrf(a):
    """Packed LU (L below the diagonal, U on and above), 1-based int32 pivots and getrf's info
    (the 1-based index of the first zero pivot, else 0) of a batch (*, m, n)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    flat = np.array(a, copy=True).reshape((math.prod(batch), m, n))
    piv = np.zeros((len(flat), k), np.int32)
    info = np.zeros(len(flat), np.int32)
    rows = np.arange(len(flat))
    for j in range(k):
        p = j + np.argmax(np.abs(flat[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        top = flat[rows, j].copy()
        flat[rows, j] = flat[rows, p]
        flat[rows, p] = top
        pivot = flat[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        factors = flat[:, j + 1:, j] / np.where(zero, 1, pivot)[:, None]
        factors[zero] = 0  # (LAPACK leaves the column as it is when the pivot is zero)
        flat[:, j + 1:, j] = np.where(zero[:, None], flat[:, j + 1:, j], factors)
        flat[:, j + 1:, j + 1:] -= factors[:, :, None] * flat[:, j, None, j + 1:]
    return (flat.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch))


def _permutation(piv, m, dtype):
    """The matrix P (*, m, m) with A = P L U, from getrf's pivots."""
    batch = piv.shape[:-1]
    flat = piv.reshape((math.prod(batch), piv.shape[-1])) - 1
    perm = np.tile(np.arange(m), (len(flat), 1))
    rows = np.arange(len(flat))
    for j in range(flat.shape[-1]):
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    out = np.zeros((len(flat), m, m), dtype)
    out[rows[:, None], perm, np.arange(m)[None, :]] = 1  # (P L U)[perm[i]] = (L U)[i]
    return out.reshape(batch + (m, m))


def _unpack(packed, m, n):
    k = min(m, n)
    lo = np.tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=packed.dtype)
    return lo, np.triu(packed[..., :k, :])


class Lu(Function):
    """L, U of A = P L U (P from the same pivoting, a constant).

    Square A (PyTorch's formula):  gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T.
    Under create_graph the factors are recomputed differentiably from the saved input.
    """

    @staticmethod
    def forward(ctx, a):
        packed, piv, _ = _getrf(a._data)
        m, n = a.shape[-2:]
        lo, up = _unpack(packed, m, n)
        p = _permutation(piv, m, a.dtype)
        ctx.save_for_backward(a)
        ctx.factors = (_t(p), _t(lo), _t(up))
        return _t(lo), _t(up)

    @staticmethod
    def backward(ctx, gl, gu):
        a, = ctx.saved_tensors
        m, n = a.shape[-2:]
        if m != n:
            raise RuntimeError(f"linalg.lu: the gradient is implemented for square matrices "
                               f"only, got a {m} by {n} matrix")
        p = ctx.factors[0]
        lo, up = Lu.apply(a) if is_grad_enabled() else ctx.factors[1:]
        core = _tril(_mT(lo) @ gl, -1) + _triu(gu @ _mT(up), 0)
        x = _solve_tri(_mT(lo), core, True, True)
        return p @ _solve_tri(_mT(up), x, False, False)


def _check_pivot(pivot, op):
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def lu(A, *, pivot=True):
    """`torch.linalg.lu`: (P, L, U) with A = P L U. Gradients flow through L and U (square A).
    Shapes: (*, m, n) -> (*, m, m), (*, m, k), (*, k, n), k = min(m, n)."""
    a = _matrix(A, "linalg.lu")
    _check_pivot(pivot, "linalg.lu")
    lo, up = Lu.apply(a)
    _, piv, _ = _getrf(a._data)
    return LUResult(_t(_permutation(piv, a.shape[-2], a.dtype)), lo, up)


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """`torch.linalg.lu_factor_ex`: (LU, pivots, info); LU packs L (below the diagonal, unit
    diagonal implied) and U; info > 0 names the first zero pivot (1-based)."""
    a = _matrix(A, "linalg.lu_factor_ex")
    _check_pivot(pivot, "linalg.lu_factor_ex")
    _, piv, info = _getrf(a._data)
    if check_errors and np.any(info):
        from .decomp import LinAlgError
        raise LinAlgError(f"linalg.lu_factor_ex: U[{int(info.max())},{int(info.max())}] is "
                          f"zero, singular U.")
    lo, up = Lu.apply(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    packed = _pad(tril(lo, -1), n - k, -1) + _pad(up, m - k, -2)
    return LUFactorExResult(packed, _t(piv), _t(info))


def _pad(x, extra, dim):
    """x with `extra` zero rows (dim -2) or columns (dim -1) appended."""
    if not extra:
        return x
    from .shape import cat
    shape = list(x.shape)
    shape[dim] = extra
    return cat([x, _t(np.zeros(shape, x.dtype))], dim)


def lu_factor(A, *, pivot=True):
    """`torch.linalg.lu_factor`: (LU, pivots). A zero pivot raises RuntimeError, as PyTorch
    (lu_solve would divide by it); lu_factor_ex and lu factor such input without error.
    Shapes: (*, m, n) -> (*, m, n), (*, k)."""
    out = lu_factor_ex(A, pivot=pivot)
    if np.any(out.info._data):
        i = int(out.info._data.max())
        raise RuntimeError(f"torch.linalg.lu_factor: U[{i},{i}] is zero and using it on "
                           f"lu_solve would result in a division by zero. If you still want to "
                           f"perform the factorization, consider calling linalg.lu(A, pivot) or "
                           f"linalg.lu_factor_ex(A, pivot)")
    return LUFactorResult(out.LU, out.pivots)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """`torch.lu_unpack`: (P, L, U) from lu_factor's packed result (differentiable in LU)."""
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    eye = _t(np.eye(m, k, dtype=LU_data.dtype))
    lo = tril(LU_data[..., :, :k], -1) + eye if unpack_data else _t(np.zeros((0,)))
    up = triu(LU_data[..., :k, :]) if unpack_data else _t(np.zeros((0,)))
    p = _t(_permutation(np.asarray(LU_pivots._data), m, LU_data.dtype)) if unpack_pivots \
        else _t(np.zeros((0,)))
    return LUResult(p, lo, up)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """`torch.linalg.lu_solve`: X with A X = B from A's lu_factor (`adjoint`: A^T X = B;
    `left=False`: X A = B). Differentiable in LU and B. Shapes: (*, n, n), (*, n), (*, n, k)
    -> (*, n, k)."""
    n = LU.shape[-1]
    if LU.shape[-2] != n or B.shape[-2 if left else -1] != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({tuple(LU.shape)} and "
                           f"{tuple(B.shape)})")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _mT(lu_solve(LU, pivots, _mT(B), left=True, adjoint=not adjoint))
    p, lo, up = lu_unpack(LU, pivots)
    if adjoint:  # A^T = U^T L^T P^T
        y = solve_triangular(_mT(up), B, upper=False)
        y = solve_triangular(_mT(lo), y, upper=True, unitriangular=True)
        return p @ y
    y = solve_triangular(lo, _mT(p) @ B, upper=False, unitriangular=True)
    return solve_triangular(up, y, upper=True)


def lu_legacy(A, pivot=True, get_infos=False):
    """`torch.lu(A, pivot=True, get_infos=False)`: (LU, pivots[, infos])."""
    out = lu_factor_ex(A, pivot=pivot)
    return tuple(out) if get_infos else (out.LU, out.pivots)
