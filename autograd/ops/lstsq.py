"""Pseudo-inverses and least squares: pinv (its own gradient), and composed from it lstsq,
matrix_rank, cond, tensorinv, tensorsolve, vecdot, plus inv_ex / cholesky_ex (info codes
instead of raising).
"""
import collections
import math

import numpy as np

from ..function import Op
from ..tensor import Tensor, _make
from .decomp import Inv, LinAlgError, cholesky, inv, solve
from .spectral import _matrix, _square, svd


def _t(a):
    """A constant Tensor holding array `a` (0-d arrays included)."""
    return _make(np.asarray(a), None)


__all__ = ["pinv", "pinverse", "matrix_rank", "lstsq", "cond", "tensorinv", "tensorsolve",
           "vecdot", "inv_ex", "cholesky_ex", "LstsqResult", "InvExResult",
           "CholeskyExResult", "householder_product", "solve_ex", "SolveExResult"]

LstsqResult = collections.namedtuple("return_types",
                                     ["solution", "residuals", "rank", "singular_values"])
InvExResult = collections.namedtuple("return_types", ["inverse", "info"])
CholeskyExResult = collections.namedtuple("return_types", ["L", "info"])


def _mT(a):
    return a.swapaxes(-1, -2)


def _eye(n, like):
    e = np.eye(n, dtype=like.dtype)
    return _t(e) if isinstance(like, Tensor) else e


def _tolerances(s_max, m, n, dtype, atol, rtol):
    """PyTorch's cut-off max(atol, rtol * s_max); rtol defaults to eps * max(m, n) unless a
    positive atol is given (then to 0)."""
    atol = 0.0 if atol is None else atol
    atol = atol._data if isinstance(atol, Tensor) else np.asarray(atol)
    if rtol is None:
        rtol = np.finfo(dtype).eps * max(m, n) if not np.any(atol > 0) else 0.0
    rtol = rtol._data if isinstance(rtol, Tensor) else np.asarray(rtol)
    return np.maximum(atol, rtol * s_max)


class Pinv(Op):
    """Z = A^+ (singular values at or below the cut-off `tol` (*,) treated as 0).

    gA = -Z^T g Z^T + (I - A Z) g^T Z Z^T + Z^T Z g^T (I - Z A)  (Golub and Pereyra; valid
    where the rank is locally constant, as PyTorch's).   Shapes: (*, m, n) -> (*, n, m).
    """

    @staticmethod
    def forward(ctx, a, tol, hermitian):
        if hermitian:
            lam, v = np.linalg.eigh(a)
            keep = np.abs(lam) > tol[..., None]
            lam_inv = np.where(keep, 1 / np.where(keep, lam, 1), 0)
            out = (v * lam_inv[..., None, :]) @ _mT(v)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            keep = s > tol[..., None]
            s_inv = np.where(keep, 1 / np.where(keep, s, 1), 0)
            out = (_mT(vh) * s_inv[..., None, :]) @ _mT(u)
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        zt, gt = _mT(z), _mT(g)
        m, n = a.shape[-2:]
        return (-(zt @ g @ zt) + (_eye(m, a) - a @ z) @ gt @ (z @ zt)
                + (zt @ z) @ gt @ (_eye(n, a) - z @ a)), None, None


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """`torch.linalg.pinv`: the Moore-Penrose pseudo-inverse, from an SVD (or, `hermitian`, an
    eigendecomposition reading the lower triangle; the gradient is then the general one, right
    for symmetric A, as PyTorch's). Singular values <= max(atol, rtol * s_max)
    count as zero; rtol defaults to eps * max(m, n) (0 when a positive atol is given).
    Shapes: (*, m, n) -> (*, n, m)."""
    a = _matrix(A, "linalg.pinv")
    if hermitian:
        _square(a, "linalg.pinv")
        s_max = np.abs(np.linalg.eigvalsh(a._data)).max(-1, initial=0.0)
    else:
        s = np.linalg.svd(a._data, compute_uv=False)
        s_max = s.max(-1, initial=0.0)
    tol = _tolerances(s_max, a.shape[-2], a.shape[-1], a.dtype, atol, rtol)
    return Pinv.apply(a, np.asarray(tol, a.dtype), hermitian)


def pinverse(input, rcond=1e-15):
    """`torch.pinverse(input, rcond=1e-15)`: linalg.pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """`torch.linalg.matrix_rank`: the number of singular values (|eigenvalues| with
    `hermitian`) above max(atol, rtol * s_max), as int64. Shapes: (*, m, n) -> (*)."""
    a = _matrix(A, "linalg.matrix_rank")._data
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(a))
    else:
        s = np.linalg.svd(a, compute_uv=False)
    tol = _tolerances(s.max(-1, initial=0.0), a.shape[-2], a.shape[-1], a.dtype, atol, rtol)
    return _t(np.sum(s > np.asarray(tol)[..., None], -1).astype(np.int64))


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """`torch.linalg.lstsq`: the least-squares (minimum-norm) solution X of A X = B, as
    pinv(A, rtol=rcond) @ B (so its gradient is pinv's). Like PyTorch on CPU (default driver
    'gelsy'): `residuals` (squared column norms of A X - B) only for drivers gels/gelsd/gelss
    when m > n and A has full rank, else empty; `rank` for all but 'gels'; `singular_values`
    only for gelsd/gelss. Shapes: A (*, m, n), B (*, m, k) or (m,) -> X (*, n, k) or (n,)."""
    a = _matrix(A, "linalg.lstsq")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.lstsq(): B must be a Tensor, got {type(B).__name__}")
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"{_DRIVERS}, got {driver!r}")
    if a.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {a.dtype} and other's dtype {B.dtype}")
    vector = B.ndim == a.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    m, n = a.shape[-2:]
    if b.ndim < 2 or b.shape[-2] != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), "
                           f"got A of shape {tuple(A.shape)} and B of shape {tuple(B.shape)}")
    if rcond is None:
        rcond = np.finfo(a.dtype).eps * max(m, n)
    x = pinv(a, rtol=rcond) @ b
    s = np.linalg.svd(a._data, compute_uv=False)
    tol = rcond * s.max(-1, initial=0.0)
    rank = np.sum(s > np.asarray(tol)[..., None], -1).astype(np.int64)
    empty = _t(np.zeros((0,), a.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and np.all(rank == n):
        r = a @ x - b
        residuals = (r * r).sum(-2)  # (*, k); (1,) for a vector B, as PyTorch
    return LstsqResult(x.squeeze(-1) if vector else x, residuals,
                       _t(np.zeros((0,), np.int64)) if driver == "gels" else _t(rank),
                       _t(s) if driver in ("gelsd", "gelss") else empty)


def cond(A, p=None):
    """`torch.linalg.cond`: s_max / s_min for p = None or 2 (s_min / s_max for -2), else
    norm(A, p) * norm(A^-1, p) for 'fro', 'nuc', inf, -inf, 1, -1 (square A only).
    Shapes: (*, m, n) -> (*)."""
    from ..linalg import matrix_norm
    a = _matrix(A, "linalg.cond")
    if p is None or p in (2, -2):
        s = svd(a, full_matrices=False).S
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    if p not in ("fro", "nuc", math.inf, -math.inf, 1, -1):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _square(a, "linalg.cond")
    if p == "nuc":  # from svd's S, which (unlike svdvals) has second derivatives
        return svd(a, False).S.sum(-1) * svd(inv(a), False).S.sum(-1)
    return matrix_norm(a, p) * matrix_norm(inv(a), p)


def vecdot(x, y, *, dim=-1):
    """`torch.linalg.vecdot`: sum(x * y, dim) with broadcasting (real tensors).
    Shapes: (*, n), (*, n) -> (*)."""
    return (x * y).sum(dim)


def tensorinv(A, ind=2):
    """`torch.linalg.tensorinv`: the X with tensordot(X, A, ind) = I; A.shape[:ind] and
    A.shape[ind:] must have equal products. Shapes: (*I, *J) -> (*J, *I)."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    left, right = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(left), math.prod(right)
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(right + left)


def tensorsolve(A, B, dims=None):
    """`torch.linalg.tensorsolve`: the X with tensordot(A, X, X.ndim) = B; `dims` of A are
    moved to the end first. Shapes: A (*B.shape, *X.shape), B -> X."""
    if dims is not None:
        from .shape import movedim
        dims = [d % A.ndim for d in dims]
        A = movedim(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    rest = tuple(A.shape[B.ndim:])
    rows, cols = B.numel(), math.prod(rest)
    if tuple(A.shape[:B.ndim]) != tuple(B.shape) or rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim"
                           f":]) == prod(self.shape[:other.ndim]), got A of shape "
                           f"{tuple(A.shape)} and B of shape {tuple(B.shape)}")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(rest)


def _first_failure(fail_at, batch):
    return _t(np.asarray(fail_at, np.int32).reshape(batch))


def inv_ex(A, *, check_errors=False):
    """`torch.linalg.inv_ex`: (inverse, info) with info (int32, per matrix) 0 on success and
    i > 0 when the i-th pivot of the LU factorization is zero. Where info > 0 the inverse is
    nan (PyTorch leaves unspecified values) and carries no gradient."""
    a = _square(A, "linalg.inv_ex")
    batch = a.shape[:-2]
    flat = a._data.reshape((math.prod(batch),) + a.shape[-2:])
    info = [_zero_pivot(m) for m in flat]
    if any(info):
        if check_errors:
            raise LinAlgError(f"linalg.inv_ex: The diagonal element {max(info)} is zero, the "
                              f"inversion could not be completed because the input matrix is "
                              f"singular.")
        out = np.full(flat.shape, np.nan, a.dtype)
        for k, (m, i) in enumerate(zip(flat, info)):
            if not i:
                out[k] = np.linalg.inv(m)
        return InvExResult(_t(out.reshape(a.shape)), _first_failure(info, batch))
    return InvExResult(Inv.apply(a), _first_failure(info, batch))


SolveExResult = collections.namedtuple("return_types", ["result", "info"])


def solve_ex(A, B, *, left=True, check_errors=False):
    """`torch.linalg.solve_ex`: (result, info) with info as inv_ex's; where every matrix is
    invertible, result is linalg.solve's (with its gradient); otherwise it carries no gradient
    and is nan for the singular matrices."""
    a = _square(A, "linalg.solve_ex")
    batch = a.shape[:-2]
    flat = a._data.reshape((math.prod(batch),) + a.shape[-2:])
    info = [_zero_pivot(m) for m in flat]
    if not any(info):
        return SolveExResult(solve(a, B, left=left), _first_failure(info, batch))
    if check_errors:
        raise LinAlgError(f"linalg.solve_ex: The solver failed because the input matrix is "
                          f"singular (the diagonal element {max(info)} of its LU factor is "
                          f"zero).")
    bad = np.asarray(info).reshape(batch) > 0
    fixed = np.where(bad[..., None, None], np.eye(a.shape[-1], dtype=a.dtype), a._data)
    from ..grad_mode import no_grad
    with no_grad():
        out = solve(_t(fixed), B.detach(), left=left)._data.copy()
    vector = B.ndim == 1 or (B.ndim == a.ndim - 1 and tuple(B.shape) == tuple(a.shape[:-1]))
    lead = out.ndim - (1 if vector else 2)
    out[np.broadcast_to(bad, out.shape[:lead])] = np.nan
    return SolveExResult(_t(out), _first_failure(info, batch))


def _zero_pivot(m):
    """The 1-based index of the first zero pivot of Gaussian elimination with partial
    pivoting (LAPACK getrf's info), 0 when there is none."""
    m = np.array(m, np.float64)
    n = m.shape[-1]
    for j in range(n):
        p = j + int(np.argmax(np.abs(m[j:, j])))
        if m[p, j] == 0:
            return j + 1
        m[[j, p]] = m[[p, j]]
        m[j + 1:] -= np.outer(m[j + 1:, j] / m[j, j], m[j])
    return 0


def cholesky_ex(A, *, upper=False, check_errors=False):
    """`torch.linalg.cholesky_ex`: (L, info) with info (int32, per matrix) 0 on success and
    i > 0 when the leading minor of order i is not positive-definite. Where info > 0, L is
    nan and carries no gradient."""
    a = _square(A, "linalg.cholesky_ex")
    batch = a.shape[:-2]
    data = _mT(a._data) if upper else a._data
    flat = data.reshape((math.prod(batch),) + a.shape[-2:])
    info = [_not_pd_order(m) for m in flat]
    if not any(info):
        return CholeskyExResult(cholesky(a, upper=upper), _first_failure(info, batch))
    if check_errors:
        raise LinAlgError(f"linalg.cholesky_ex: The factorization could not be completed "
                          f"because the input is not positive-definite (the leading minor of "
                          f"order {max(info)} is not positive-definite).")
    out = np.full(flat.shape, np.nan, a.dtype)
    for k, (m, i) in enumerate(zip(flat, info)):
        if not i:
            out[k] = np.linalg.cholesky(m)
    out = out.reshape(a.shape)
    return CholeskyExResult(_t(_mT(out) if upper else out), _first_failure(info, batch))


def _not_pd_order(m):
    """The order of the first leading minor that is not positive-definite, 0 when none."""
    n = m.shape[-1]
    try:
        np.linalg.cholesky(m)
        return 0
    except np.linalg.LinAlgError:
        pass
    for k in range(1, n + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return n


def householder_product(A, tau):
    """`torch.linalg.householder_product` (also `torch.orgqr`): the first n columns of
    H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i = (0, .., 0, 1, A[i+1:, i]) (column i of A
    below the diagonal, a unit at i). Composed from matmuls, so differentiable in A and tau.
    Shapes: A (*, m, n), tau (*, k), k <= n <= m -> (*, m, n)."""
    from .sort import tril
    a = _matrix(A, "linalg.householder_product")
    m, n = a.shape[-2:]
    k = tau.shape[-1]
    if not k <= n <= m:
        raise RuntimeError(f"torch.linalg.householder_product: input.shape[-2] must be greater "
                           f"than or equal to input.shape[-1] and input.shape[-1] must be "
                           f"greater than or equal to tau.shape[-1], got input of shape "
                           f"{tuple(a.shape)} and tau of shape {tuple(tau.shape)}")
    if tuple(tau.shape[:-1]) != tuple(a.shape[:-2]):
        raise RuntimeError(f"torch.linalg.householder_product: Expected batch dimensions of tau "
                           f"to be equal to input.shape[:-2], got {tuple(tau.shape)} and "
                           f"{tuple(a.shape)}")
    v = tril(a, -1) + _t(np.eye(m, n, dtype=a.dtype))
    q = _t(np.broadcast_to(np.eye(m, n, dtype=a.dtype), a.shape).copy())
    for i in reversed(range(k)):  # Q = H_1 (H_2 (... (H_k I)))
        vi = v[..., :, i:i + 1]
        q = q - (vi * tau[..., i, None, None]) @ (_mT(vi) @ q)
    return q
