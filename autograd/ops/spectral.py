"""Factorizations with gradients through every factor: svd, eigh, qr.

Each is one multi-output `Function` (built-in `Op`s have a single differentiable output): its
forward runs NumPy's factorization, its backward receives one Tensor gradient per output (zeros
where none flowed) and is written in recorded Tensor ops. A multi-output Function may not
save its outputs for double backward, so under `create_graph` the backward recomputes the
factors from the saved input through the op itself (the same deterministic factors, now
differentiable), which gives exact second derivatives. The formulas are PyTorch's
(FunctionsManual: svd_backward, linalg_eig_backward for Hermitian input, linalg_qr_backward).
"""
import collections

import numpy as np

from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor, _make
from ._util import dual
from .sort import tril, triu
from .triangular import solve_triangular


def _t(a):
    """A constant Tensor holding array `a` (0-d arrays included)."""
    return _make(np.asarray(a), None)


__all__ = ["svd", "svd_legacy", "eigh", "eigvalsh", "qr", "SVDResult", "EighResult", "QRResult"]

SVDResult = collections.namedtuple("return_types", ["U", "S", "Vh"])
SVDLegacyResult = collections.namedtuple("return_types", ["U", "S", "V"])
EighResult = collections.namedtuple("return_types", ["eigenvalues", "eigenvectors"])
QRResult = collections.namedtuple("return_types", ["Q", "R"])


def _mT(a):
    return a.swapaxes(-1, -2)


def _eye_like(a, n):
    e = np.eye(n, dtype=a.dtype)
    return _t(e) if isinstance(a, Tensor) else e


_tril = dual(lambda t, k: tril(t, k), lambda a, k: np.tril(a, k))
_triu = dual(lambda t, k: triu(t, k), lambda a, k: np.triu(a, k))
_diag_part = dual(lambda t: t.diagonal(0, -2, -1), lambda a: np.diagonal(a, 0, -2, -1))
_solve_tri = dual(lambda t, b, upper, left: solve_triangular(t, b, upper=upper, left=left),
                  lambda a, b, upper, left: _np_solve_tri(a, b, upper, left))


def _np_solve_tri(a, b, upper, left):
    if not left:
        return _mT(np.linalg.solve(_mT(a), _mT(b)))
    return np.linalg.solve(a, b)


def _factors(ctx, recompute):
    """The saved factors, or (under create_graph) the same factors recomputed differentiably."""
    if is_grad_enabled():
        a, = ctx.saved_tensors
        return recompute(a)
    return ctx.factors


def _diag_embed(v, n):
    """(*, n) -> (*, n, n) with v on the diagonal, by broadcasting against the identity."""
    return v[..., None, :] * _eye_like(v, n)


def _zeros_or(g, like):
    if g is not None:
        return g
    return _t(np.zeros(like.shape, like.dtype)) if isinstance(like, Tensor) else \
        np.zeros(like.shape, like.dtype)


# ---------------------------------------------------------------------- SVD
class Svd(Function):
    """A = U diag(S) Vh (reduced: U (*, m, k), S (*, k), Vh (*, k, n), k = min(m, n)).

    With E_ij = S_j^2 - S_i^2 (1 on the diagonal), skew(X) = X - X^T and V = Vh^T:
        gA = U [(skew(U^T gU) / E) S + S (skew(V^T gV) / E) + diag(gS)] Vh
             + (I - U U^T) gU S^-1 Vh + U S^-1 gV^T (I - V Vh).
    Repeated singular values give inf/nan gradients for U and Vh; zero ones too (as PyTorch).
    """

    @staticmethod
    def forward(ctx, a):
        u, s, vh = (_t(f) for f in np.linalg.svd(a._data, full_matrices=False))
        ctx.save_for_backward(a)
        ctx.factors = (u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = _factors(ctx, lambda a: Svd.apply(a))
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        core = 0 if gs is None else _diag_embed(gs, k)
        if gu is None and gvh is None:
            return u @ (core if gs is not None else 0) @ vh
        gu, gvh = _zeros_or(gu, u), _zeros_or(gvh, vh)
        eye = _eye_like(s, k)
        s2 = s * s
        e = s2[..., None, :] - s2[..., :, None] + eye
        utgu, vtgv = _mT(u) @ gu, vh @ _mT(gvh)
        sk = s[..., None, :]
        core = core + ((utgu - _mT(utgu)) / e) * sk + _mT(sk) * ((vtgv - _mT(vtgv)) / e)
        ga = u @ core @ vh
        if m > k:
            gu_s = gu / sk
            ga = ga + (gu_s - u @ (_mT(u) @ gu_s)) @ vh
        if n > k:
            gv_s = _mT(gvh) / sk  # (n, k): gV S^-1
            ga = ga + u @ _mT(gv_s - _mT(vh) @ (vh @ gv_s))
        return ga


def svd(A, full_matrices=True, *, driver=None):
    """`torch.linalg.svd`: A = U diag(S) Vh, singular values descending. With `full_matrices`,
    U is (*, m, m) and Vh (*, n, n) (their extra columns carry no gradient, as in PyTorch).
    `driver` (a CUDA option in PyTorch) is accepted and ignored.
    Shapes: (*, m, n) -> (*, m, k or m), (*, k), (*, k or n, n), k = min(m, n)."""
    a = _matrix(A, "linalg.svd")
    if full_matrices and a.shape[-2] != a.shape[-1]:
        from .shape import cat
        u, s, vh = Svd.apply(a)
        uf, _, vhf = np.linalg.svd(a._data, full_matrices=True)  # the complements: constants
        k = s.shape[-1]
        u = cat([u, _t(uf[..., :, k:])], -1)
        vh = cat([vh, _t(vhf[..., k:, :])], -2)
        return SVDResult(u, s, vh)
    return SVDResult(*Svd.apply(a))


def svd_legacy(input, some=True, compute_uv=True):
    """`torch.svd`: (U, S, V) with V = Vh^T; `some=False` gives square U and V; without
    `compute_uv`, U and V are zero matrices (of the full shapes, as PyTorch)."""
    a = _matrix(input, "svd")
    if not compute_uv:
        from .decomp import svdvals
        m, n = a.shape[-2:]
        z = np.zeros
        return SVDLegacyResult(_t(z(a.shape[:-2] + (m, m), a.dtype)), svdvals(a),
                               _t(z(a.shape[:-2] + (n, n), a.dtype)))
    u, s, vh = svd(a, full_matrices=not some)
    return SVDLegacyResult(u, s, vh.mT)


# ---------------------------------------------------------------------- symmetric eigen
class Eigh(Function):
    """A = V diag(L) V^T for symmetric A (L ascending; only the `uplo` triangle is read).

    With E_ij = L_j - L_i (off the diagonal):
        G = V (offdiag(V^T gV / E) + diag(gL)) V^T,   gA = (G + G^T) / 2
    (symmetrized, as PyTorch returns it).
    Repeated eigenvalues give inf/nan gradients for V.
    """

    @staticmethod
    def forward(ctx, a, uplo):
        lam, v = (_t(f) for f in np.linalg.eigh(a._data, UPLO=uplo))
        ctx.save_for_backward(a)
        ctx.factors = (lam, v)
        ctx.uplo = uplo
        return lam, v

    @staticmethod
    def backward(ctx, gl, gv):
        lam, v = _factors(ctx, lambda a: Eigh.apply(a, ctx.uplo))
        n = lam.shape[-1]
        core = 0 if gl is None else _diag_embed(gl, n)
        if gv is not None:
            eye = _eye_like(lam, n)
            e = lam[..., None, :] - lam[..., :, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                core = core + (_mT(v) @ gv) / (e + eye) * (1 - eye)
        if gl is None and gv is None:
            return None, None
        ga = v @ core @ _mT(v)
        return (ga + _mT(ga)) * 0.5, None


def eigh(A, UPLO="L"):
    """`torch.linalg.eigh`: eigenvalues (ascending) and orthonormal eigenvectors of symmetric
    matrices. Shapes: (*, n, n) -> (*, n), (*, n, n)."""
    a = _square(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got "
                           f"{UPLO}")
    return EighResult(*Eigh.apply(a, UPLO))


def eigvalsh(A, UPLO="L"):
    """`torch.linalg.eigvalsh`: the eigenvalues of symmetric matrices, ascending (their
    gradient V diag(g) V^T). Shapes: (*, n, n) -> (*, n)."""
    return eigh(A, UPLO).eigenvalues


# ---------------------------------------------------------------------- QR
def _syminvadj(x):
    """X + X^T - diag(X): the adjoint of taking the upper triangle of a symmetric matrix."""
    return x + _mT(x) - _diag_embed(_diag_part(x), x.shape[-1])


def _qr_backward_tall(q, r, gq, gr):
    """m >= n: gA = (gQ + Q syminvadj(triu(gR R^T - Q^T gQ))) R^-T."""
    m_ = gr @ _mT(r) - _mT(q) @ gq
    ga = q @ _syminvadj(_triu(m_, 0)) + gq
    return _solve_tri(_mT(r), ga, False, False)


class Qr(Function):
    """A = Q R (reduced: Q (*, m, k), R (*, k, n), k = min(m, n)).

    m >= n:  gA = (gQ + Q syminvadj(triu(gR R^T - Q^T gQ))) R^-T.
    m < n:   A = Q [X | Y], R = [U | V]: gY = Q gV and gX is the square formula with
             gQ + Y gV^T in place of gQ and (Q, U) as the factors.
    """

    @staticmethod
    def forward(ctx, a, mode):
        q, r = (_t(f) for f in np.linalg.qr(a._data, mode="complete" if mode == "complete"
                                                else "reduced"))
        ctx.mode = mode
        ctx.save_for_backward(a)
        ctx.factors = (q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        a, = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        q, r = _factors(ctx, lambda a: Qr.apply(a, ctx.mode))
        gq, gr = _zeros_or(gq, q), _zeros_or(gr, r)
        if m >= n:
            return _qr_backward_tall(q, r, gq, gr), None
        from .shape import cat
        u, gu, gv = r[..., :, :m], gr[..., :, :m], gr[..., :, m:]
        gx = _qr_backward_tall(q, u, gq + a[..., :, m:] @ _mT(gv), gu)
        gy = q @ gv
        return cat([gx, gy], -1), None


def qr(A, mode="reduced"):
    """`torch.linalg.qr`: A = Q R with orthonormal Q and upper-triangular R. mode 'reduced'
    (Q (*, m, k), R (*, k, n)), 'complete' (Q (*, m, m), R (*, m, n)) or 'r' (R only; Q is an
    empty tensor). Shapes: (*, m, n) -> Q, R as above, k = min(m, n)."""
    a = _matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    q, r = Qr.apply(a, mode)
    if mode == "r":
        return QRResult(_t(np.zeros((0,), a.dtype)), r)
    return QRResult(q, r)


def qr_legacy(input, some=True):
    """`torch.qr(input, some=True)`: linalg.qr with mode 'reduced' or (some=False) 'complete'."""
    return qr(input, "reduced" if some else "complete")


# ---------------------------------------------------------------------- checks
def _matrix(A, op):
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape "
                           f"{tuple(A.shape)}")
    if A.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got {A.dtype}")
    return A


def _square(A, op):
    a = _matrix(A, op)
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    return a
