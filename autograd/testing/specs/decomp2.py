"""Registry entries: the factorizations with gradients through their factors (svd, eigh, qr),
pinv and what is built on it (lstsq, cond), matrix_exp, vecdot, tensorinv/tensorsolve and the
`_ex` variants.

Singular vectors and eigenvectors are defined up to sign, so the entries return quantities
that do not depend on it (squared entries |U|^2, the reconstruction U diag(S) Vh, the values),
as PyTorch's own tests do. Inputs keep singular values / eigenvalues apart (a small
perturbation of diag(1, 2, 3)), so the gradients are smooth.
"""
import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain
from .decomp import _spread

FAMILY = "linalg"
_SMALL = Domain(-1.0, 1.0)
_SPREAD = Domain(0.1, 1.0, distinct=0.05)


def _reg(name, fn, ref, setup, arity=1, domain=_SPREAD, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,) * arity, setup=setup, **kw))


def _np_mT(a):
    return np.swapaxes(a, -1, -2)


@st.composite
def _rect(draw, kw=None, tall=None):
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if tall is True and m < n:
        m, n = n, m
    lead = draw(st.sampled_from([(), (2,)]))
    return (lead + (m, n),), (draw(kw) if kw is not None else {})


# ---------------------------------------------------------------------- svd
def _svd_parts(u, s, vh):
    k = s.shape[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    return u * u, s, vh * vh, (u * s[..., None, :]) @ vh


_reg("linalg_svd",
     lambda x, full_matrices: _svd_parts(*autograd.linalg.svd(_spread(x), full_matrices)),
     lambda x, full_matrices: _svd_parts(*np.linalg.svd(_spread(x), full_matrices)),
     _rect(st.fixed_dictionaries({"full_matrices": st.booleans()})), public=(),
     notes="sign-invariant outputs: |U|^2, S, |Vh|^2 and U diag(S) Vh")
_reg("svd",
     lambda x, some: _svd_parts(*(lambda r: (r.U, r.S, r.V.mT))(autograd.svd(_spread(x), some))),
     lambda x, some: _svd_parts(*np.linalg.svd(_spread(x), not some)),
     _rect(st.fixed_dictionaries({"some": st.booleans()})),
     notes="torch.svd returns V (not Vh); compared through the same sign-invariant outputs")


# ---------------------------------------------------------------------- eigh
@st.composite
def _square(draw, kw=None, batch=True):
    n = draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(), (2,)])) if batch else ()
    return (lead + (n, n),), (draw(kw) if kw is not None else {})


def _sym(x):
    """(x + x^T) / 20 + diag(1, .., n): symmetric, eigenvalues at least 0.4 apart."""
    n = x.shape[-1]
    d = np.diag(np.arange(1.0, n + 1))
    if isinstance(x, np.ndarray):
        return (x + _np_mT(x)) / 20 + d
    return (x + x.mT) / 20 + autograd.tensor(d, dtype=x.dtype)


_UPLO = st.fixed_dictionaries({"UPLO": st.sampled_from(["L", "U"])})
_reg("linalg_eigh",
     lambda x, UPLO: (lambda r: (r.eigenvalues, r.eigenvectors ** 2))(
         autograd.linalg.eigh(_sym(x), UPLO)),
     lambda x, UPLO: (lambda r: (r[0], r[1] ** 2))(np.linalg.eigh(_sym(x), UPLO)),
     _square(_UPLO), domain=_SMALL, public=(),
     notes="eigenvectors compared through their squares (sign-invariant)")
_reg("linalg_eigvalsh", lambda x, UPLO: autograd.linalg.eigvalsh(_sym(x), UPLO),
     lambda x, UPLO: np.linalg.eigvalsh(_sym(x), UPLO), _square(_UPLO), domain=_SMALL,
     public=())


# ---------------------------------------------------------------------- qr
@st.composite
def _qr_setup(draw):
    (shape,), _ = draw(_rect())
    m, n = shape[-2:]
    modes = ["reduced"] + (["complete"] if m <= n else [])
    return (shape,), {"mode": draw(st.sampled_from(modes))}


def _qr_parts(q, r):
    return q * q, r * r, q @ r


_reg("linalg_qr", lambda x, mode: _qr_parts(*autograd.linalg.qr(_spread(x), mode)),
     lambda x, mode: _qr_parts(*np.linalg.qr(_spread(x), mode)), _qr_setup(), public=(),
     notes="Q and R up to the signs of Q's columns: compared as Q^2, R^2 and Q R; "
           "mode='complete' is differentiable only when m <= n (as PyTorch)")
_reg("qr", lambda x: _qr_parts(*autograd.qr(_spread(x))),
     lambda x: _qr_parts(*np.linalg.qr(_spread(x))), _rect())


# ---------------------------------------------------------------------- pinv, lstsq, cond
_reg("linalg_pinv", lambda x: autograd.linalg.pinv(_spread(x)),
     lambda x: np.linalg.pinv(_spread(x)), _rect(), covers=("Pinv",), public=())
_reg("linalg_pinv_hermitian", lambda x: autograd.linalg.pinv(_sym(x), hermitian=True),
     lambda x: np.linalg.pinv(_sym(x)), _square(), domain=_SMALL, covers=("Pinv",),
     public=())
_reg("pinverse", lambda x: autograd.pinverse(_spread(x)), lambda x: np.linalg.pinv(_spread(x)),
     _rect(), covers=("Pinv",))


@st.composite
def _lstsq_setup(draw):
    (shape,), _ = draw(_rect(tall=True))
    m = shape[-2]
    k = draw(st.integers(1, 2))
    b = draw(st.sampled_from([shape[:-1] + (k,)] + ([(m,)] if len(shape) == 2 else [])))
    return (shape, b), {"driver": draw(st.sampled_from([None, "gelsd", "gels"]))}


def _np_lstsq(a, b, driver):
    a = _spread(a)
    vector = b.ndim == 1
    bb = b[:, None] if vector else b
    x = np.linalg.pinv(a) @ bb
    res = ((a @ x - bb) ** 2).sum(-2)
    x = x[..., 0] if vector else x
    m, n = a.shape[-2:]
    return x, (res if driver in ("gelsd", "gels") and m > n else np.zeros((0,)))


_reg("linalg_lstsq",
     lambda a, b, driver: tuple(autograd.linalg.lstsq(_spread(a), b, driver=driver))[:2],
     _np_lstsq, _lstsq_setup(), arity=2, covers=("Pinv",), public=(),
     notes="solution and residuals (computed, as PyTorch's, for gels/gelsd/gelss when m > n)")


@st.composite
def _cond_setup(draw):
    p = draw(st.sampled_from([None, 2, -2, "fro", "nuc", 1, np.inf]))
    if p in (None, 2, -2):
        return draw(_rect(st.just({"p": p})))
    return draw(_square(st.just({"p": p})))


def _np_cond(x, p):
    return np.linalg.cond(_spread(x), p)


_reg("linalg_cond", lambda x, p: autograd.linalg.cond(_spread(x), p), _np_cond, _cond_setup(),
     public=(), notes="entries well apart so the 1/inf norms pick one column/row")


# ---------------------------------------------------------------------- matrix_exp
def _np_expm(a):
    """exp(a) = exp(a / 2^8)^(2^8), the small one from 20 Taylor terms."""
    small = a / 256.0
    term = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    out = term.copy()
    for k in range(1, 20):
        term = term @ small / k
        out = out + term
    for _ in range(8):
        out = out @ out
    return out


_SCALE = st.fixed_dictionaries({"scale": st.sampled_from([1.0, 4.0])})
_reg("linalg_matrix_exp", lambda x, scale: autograd.linalg.matrix_exp(x * scale),
     lambda x, scale: _np_expm(x * scale), _square(_SCALE), domain=_SMALL,
     covers=("MatrixExp",), public=(), grad_rtol=1e-3, grad_atol=1e-4,
     notes="scale 4 pushes the 1-norm past the Pade(13) bound, so scaling and squaring run")
_reg("matrix_exp", lambda x: autograd.matrix_exp(x), _np_expm, _square(), domain=_SMALL,
     covers=("MatrixExp",))


# ---------------------------------------------------------------------- small ones
@st.composite
def _vecdot_setup(draw):
    n = draw(st.integers(1, 3))
    return draw(st.sampled_from([((n,), (n,)), ((2, n), (n,)), ((2, 1, n), (3, n))])), {}


_reg("linalg_vecdot", lambda x, y: autograd.linalg.vecdot(x, y),
     lambda x, y: (x * y).sum(-1), _vecdot_setup(), arity=2, domain=_SMALL, public=())


def _shift(x):
    n = x.shape[-1]
    e = np.eye(n) * (n + 1)
    return x + (e if isinstance(x, np.ndarray) else autograd.tensor(e, dtype=x.dtype))


_reg("linalg_tensorinv",
     lambda x: autograd.linalg.tensorinv(_shift(x).reshape(2, 3, 6), ind=2),
     lambda x: np.linalg.tensorinv(_shift(x).reshape(2, 3, 6), ind=2),
     st.just((((6, 6),), {})), domain=_SMALL, covers=("Inv",), public=())
_reg("linalg_tensorsolve",
     lambda a, b: autograd.linalg.tensorsolve(_shift(a).reshape(2, 2, 4), b),
     lambda a, b: np.linalg.tensorsolve(_shift(a).reshape(2, 2, 4), b),
     st.just((((4, 4), (2, 2)), {})), arity=2, domain=_SMALL, covers=("Solve",), public=())
_reg("linalg_inv_ex", lambda x: autograd.linalg.inv_ex(_shift(x)).inverse,
     lambda x: np.linalg.inv(_shift(x)), _square(), domain=_SMALL, covers=("Inv",), public=())
_reg("linalg_cholesky_ex",
     lambda x, upper: autograd.linalg.cholesky_ex(x @ x.mT + autograd.eye(x.shape[-1],
                                                  dtype=x.dtype), upper=upper).L,
     lambda x, upper: (lambda lo: _np_mT(lo) if upper else lo)(
         np.linalg.cholesky(x @ _np_mT(x) + np.eye(x.shape[-1]))),
     _square(st.fixed_dictionaries({"upper": st.booleans()})), domain=_SMALL,
     covers=("Cholesky",), public=())


# ---------------------------------------------------------------------- LU
def _np_doolittle(a):
    """L, U of A = L U without pivoting (for the diagonally dominant inputs below, partial
    pivoting picks the diagonal anyway)."""
    a = np.array(a, np.float64)
    n = a.shape[-1]
    lo = np.broadcast_to(np.eye(n), a.shape).copy()
    up = np.zeros_like(a)
    for i in range(n):
        up[..., i, i:] = a[..., i, i:] - np.einsum("...k,...kj->...j", lo[..., i, :i],
                                                    up[..., :i, i:])
        lo[..., i + 1:, i] = (a[..., i + 1:, i] - np.einsum("...jk,...k->...j",
                                                            lo[..., i + 1:, :i],
                                                            up[..., :i, i])) / up[..., i, i:i + 1]
    return lo, up


def _np_flip(x):
    return x[..., ::-1, :]


def _flip(x):
    return x.flip(-2) if x.shape[-2] > 1 else x


_reg("linalg_lu", lambda x, flip: tuple(autograd.linalg.lu(
         _flip(_shift(x)) if flip else _shift(x)))[1:],
     lambda x, flip: _np_doolittle(_shift(x)), _square(st.fixed_dictionaries(
         {"flip": st.booleans()})), domain=_SMALL, public=(),
     notes="diagonally dominant input, its rows reversed or not: the pivoting restores the "
           "dominant order, so L U is the unpivoted factorization of the unflipped matrix")
_reg("linalg_lu_factor", lambda x: autograd.linalg.lu_factor(_shift(x)).LU,
     lambda x: (lambda lo, up: lo - np.eye(x.shape[-1]) + up)(*_np_doolittle(_shift(x))),
     _square(), domain=_SMALL, public=())
_reg("lu", lambda x: autograd.lu(_shift(x))[0],
     lambda x: (lambda lo, up: lo - np.eye(x.shape[-1]) + up)(*_np_doolittle(_shift(x))),
     _square(), domain=_SMALL)
_reg("lu_unpack", lambda x: tuple(autograd.lu_unpack(*autograd.lu(_shift(x))))[1:],
     lambda x: _np_doolittle(_shift(x)), _square(), domain=_SMALL)


@st.composite
def _lu_solve_setup(draw):
    (shape,), _ = draw(_square())
    n, k = shape[-1], draw(st.integers(1, 2))
    left = draw(st.booleans())
    b = shape[:-2] + ((n, k) if left else (k, n))
    return (shape, b), {"left": left, "adjoint": draw(st.booleans())}


def _np_lu_solve(a, b, left, adjoint):
    a = _shift(a)
    a = _np_mT(a) if adjoint else a
    return np.linalg.solve(a, b) if left else _np_mT(np.linalg.solve(_np_mT(a), _np_mT(b)))


_reg("linalg_lu_solve",
     lambda a, b, left, adjoint: autograd.linalg.lu_solve(
         *autograd.linalg.lu_factor(_shift(a)), b, left=left, adjoint=adjoint),
     _np_lu_solve, _lu_solve_setup(), arity=2, domain=_SMALL, covers=("SolveTriangular",),
     public=())


# ---------------------------------------------------------------------- householder_product
@st.composite
def _householder_setup(draw):
    n = draw(st.integers(1, 3))
    m = n + draw(st.integers(0, 1))
    lead = draw(st.sampled_from([(), (2,)]))
    return (lead + (m, n), lead + (draw(st.integers(1, n)),)), {}


def _np_householder(a, tau):
    m, n = a.shape[-2:]
    q = np.broadcast_to(np.eye(m), a.shape[:-2] + (m, m)).copy()
    for i in range(tau.shape[-1]):
        v = np.zeros(a.shape[:-2] + (m, 1))
        v[..., i, 0] = 1.0
        v[..., i + 1:, 0] = a[..., i + 1:, i]
        h = np.eye(m) - tau[..., i, None, None] * (v @ _np_mT(v))
        q = q @ h
    return q[..., :, :n]


_reg("linalg_householder_product", lambda a, tau: autograd.linalg.householder_product(a, tau),
     _np_householder, _householder_setup(), arity=2, domain=_SMALL, public=())
_reg("orgqr", lambda a, tau: autograd.orgqr(a, tau), _np_householder, _householder_setup(),
     arity=2, domain=_SMALL)
_reg("linalg_solve_ex",
     lambda a, b: autograd.linalg.solve_ex(_shift(a), b).result,
     lambda a, b: np.linalg.solve(_shift(a), b),
     _lu_solve_setup().map(lambda setup: ((setup[0][0], setup[0][0][:-1] + (2,)), {})),
     arity=2, domain=_SMALL, covers=("Solve",), public=())
