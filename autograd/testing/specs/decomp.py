"""Registry entries: linalg (inv, det, slogdet, solve, cholesky, svdvals, the norms) and the
scaled products (addmv, baddbmm, addbmm, chain_matmul, multi_dot).

Matrices are drawn small and shifted by a multiple of the identity (or built as B B^T + I,
or as a perturbed diagonal with spread singular values), so they stay well conditioned: the
finite differences then see smooth functions.
"""
import math

import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain

FAMILY = "linalg"
_SIDE = st.integers(1, 3)
_SMALL = Domain(-1.0, 1.0)


def _reg(name, fn, ref, setup, arity=1, domain=_SMALL, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,) * arity, setup=setup, **kw))


@st.composite
def _square_setup(draw, batch=True):
    n = draw(_SIDE)
    lead = draw(st.sampled_from([(), (2,), (2, 1)])) if batch else ()
    return (lead + (n, n),), {"shift": draw(st.sampled_from([1.0, -1.0]))}


def _shifted(x, shift):
    """x + shift * (n + 1) I: diagonally dominant, so invertible and well conditioned."""
    n = x.shape[-1]
    return x + autograd.eye(n, dtype=x.dtype) * (shift * (n + 1))


def _np_shifted(x, shift):
    return x + np.eye(x.shape[-1]) * (shift * (x.shape[-1] + 1))


_reg("inv", lambda x, shift: autograd.linalg.inv(_shifted(x, shift)),
     lambda x, shift: np.linalg.inv(_np_shifted(x, shift)), _square_setup(), covers=("Inv",),
     public=())
_reg("inverse", lambda x, shift: autograd.inverse(_shifted(x, shift)),
     lambda x, shift: np.linalg.inv(_np_shifted(x, shift)), _square_setup(), covers=("Inv",))
_reg("det", lambda x, shift: autograd.linalg.det(_shifted(x, shift)),
     lambda x, shift: np.linalg.det(_np_shifted(x, shift)), _square_setup(), covers=("Det",),
     public=("det",))
_reg("det_singular", lambda x: autograd.det(autograd.cat([x, x[:1]])),
     lambda x: np.linalg.det(np.concatenate([x, x[:1]])), st.just((((2, 3),), {})),
     covers=("Det",), public=(), double_backward=False,
     notes="a repeated row: at a singular matrix det's gradient is the adjugate (from an "
           "SVD); its double backward uses the inverse, so it is not checked here")
_reg("slogdet", lambda x, shift: tuple(autograd.linalg.slogdet(_shifted(x, shift))),
     lambda x, shift: tuple(np.linalg.slogdet(_np_shifted(x, shift))), _square_setup(),
     covers=("Slogdet",), public=("slogdet",))
_reg("logdet", lambda x, shift: autograd.logdet(_shifted(x, abs(shift))),
     lambda x, shift: np.log(np.linalg.det(_np_shifted(x, abs(shift)))), _square_setup(),
     covers=("Slogdet",))


@st.composite
def _solve_setup(draw):
    n, k = draw(_SIDE), draw(_SIDE)
    lead = draw(st.sampled_from([(), (2,)]))
    b_lead = draw(st.sampled_from([lead, ()] if lead else [(), (2,)]))
    b = draw(st.sampled_from([(n,), b_lead + (n, k)] + ([lead + (n,)] if lead else [])))
    return (lead + (n, n), b), {"left": True}


def _np_solve(a, b, left):
    a = _np_shifted(a, 1.0)
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        return np.linalg.solve(a, b[..., None])[..., 0]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]),
                           np.broadcast_to(b, batch + b.shape[-2:]))


_reg("solve", lambda a, b, left: autograd.linalg.solve(_shifted(a, 1.0), b, left=left),
     _np_solve, _solve_setup(), arity=2, covers=("Solve",))


@st.composite
def _cholesky_setup(draw):
    n = draw(_SIDE)
    lead = draw(st.sampled_from([(), (2,)]))
    return (lead + (n, n),), {"upper": draw(st.booleans())}


def _spd(x):
    return x @ x.mT + autograd.eye(x.shape[-1], dtype=x.dtype)


def _np_cholesky(x, upper):
    lo = np.linalg.cholesky(x @ np.swapaxes(x, -1, -2) + np.eye(x.shape[-1]))
    return np.swapaxes(lo, -1, -2) if upper else lo


_reg("cholesky", lambda x, upper: autograd.cholesky(_spd(x), upper),
     _np_cholesky, _cholesky_setup(), covers=("Cholesky",))
_reg("linalg_cholesky", lambda x, upper: autograd.linalg.cholesky(_spd(x), upper=upper),
     _np_cholesky, _cholesky_setup(), covers=("Cholesky",), public=())


@st.composite
def _triangular_setup(draw):
    n, k = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    batch_a, batch_b = draw(st.sampled_from([((), ()), ((2,), ()), ((), (2,)), ((2,), (2,))]))
    left = draw(st.booleans())
    shape_b = batch_b + ((n, k) if left else (k, n))
    kw = {"upper": draw(st.booleans()), "left": left, "unitriangular": draw(st.booleans())}
    return (batch_a + (n, n), shape_b), kw


def _np_solve_triangular(a, b, upper, left, unitriangular):
    n = a.shape[-1]
    t = a + 4 * np.eye(n)  # (a dominant diagonal keeps the solve well conditioned)
    t = np.triu(t) if upper else np.tril(t)
    if unitriangular:
        t = t - t * np.eye(n) + np.eye(n)
    if left:
        return np.linalg.solve(t, b)
    return np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


_reg("linalg_solve_triangular",
     lambda a, b, **kw: autograd.linalg.solve_triangular(
         a + 4 * autograd.eye(a.shape[-1], dtype=a.dtype), b, **kw),
     _np_solve_triangular, _triangular_setup(), arity=2, covers=("SolveTriangular",),
     public=())


# ---------------------------------------------------------------------- singular values, norms
@st.composite
def _rect_setup(draw):
    m, n = draw(_SIDE), draw(_SIDE)
    return (draw(st.sampled_from([(), (2,)])) + (m, n),), {}


def _spread(x):
    """x / 10 plus a rectangular diagonal (1, 2, 3): singular values stay apart and away from 0
    (each moves by at most ||x / 10|| <= 0.3)."""
    m, n = x.shape[-2:]
    d = np.zeros((m, n))
    for i in range(min(m, n)):
        d[i, i] = i + 1.0
    if isinstance(x, np.ndarray):
        return x / 10 + d
    return x / 10 + autograd.tensor(d, dtype=x.dtype)


_SPREAD_DOMAIN = Domain(0.1, 1.0, distinct=0.05)
_reg("svdvals", lambda x: autograd.linalg.svdvals(_spread(x)),
     lambda x: np.linalg.svd(_spread(x), compute_uv=False), _rect_setup(), domain=_SPREAD_DOMAIN,
     covers=("Svdvals",), public=(), double_backward=False,
     notes="first derivatives only: the backward uses the SVD factors as constants")


def _np_matrix_norm(x, ord):
    return np.linalg.norm(x, ord=ord, axis=(-2, -1))


for _ord in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf):
    _reg(f"matrix_norm_{_ord}",
         (lambda o: lambda x: autograd.linalg.matrix_norm(_spread(x), o))(_ord),
         (lambda o: lambda x: _np_matrix_norm(_spread(x), o))(_ord), _rect_setup(),
         domain=_SPREAD_DOMAIN,
         covers=("Svdvals",) if _ord in ("nuc", 2, -2) else (),
         public=(), double_backward=_ord not in ("nuc", 2, -2),
         notes="the spectral norms use svdvals (first derivatives only); column and row sums "
               "of the spread matrix have distinct extremes")


@st.composite
def _vector_norm_setup(draw):
    shape = draw(st.sampled_from([(3,), (2, 3), (2, 1, 3)]))
    return (shape,), {"ord": draw(st.sampled_from([2, 1, 3, 0.5, math.inf, -math.inf])),
                      "dim": draw(st.sampled_from([None, -1] + ([(0, -1)] if len(shape) > 1
                                                                else []))),
                      "keepdim": draw(st.booleans())}


def _np_vector_norm(x, ord, dim, keepdim):
    axis = tuple(range(x.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else dim)
    a = np.abs(x)
    if ord == math.inf:
        return np.amax(a, axis=axis, keepdims=keepdim)
    if ord == -math.inf:
        return np.amin(a, axis=axis, keepdims=keepdim)
    return np.sum(a ** ord, axis=axis, keepdims=keepdim) ** (1.0 / ord)


_reg("vector_norm", lambda x, **kw: autograd.linalg.vector_norm(x, **kw), _np_vector_norm,
     _vector_norm_setup(), domain=Domain(0.2, 3.0, distinct=0.05), covers=(), public=(),
     notes="positive distinct entries: no kinks of |x|, no ties for inf norms")


@st.composite
def _norm_setup(draw):
    case = draw(st.sampled_from(["all", "vector", "matrix", "dim_int", "dim_pair"]))
    if case == "all":
        return ((2, 3, 2),), {"ord": None, "dim": None}
    if case == "vector":
        return ((4,),), {"ord": draw(st.sampled_from([None, 1, 3])), "dim": None}
    if case == "matrix":
        return ((3, 2),), {"ord": draw(st.sampled_from([None, "fro"])), "dim": None}
    if case == "dim_int":
        return ((2, 3),), {"ord": None, "dim": 1}
    return ((2, 3, 2),), {"ord": "fro", "dim": (0, 2)}


def _np_norm(x, ord, dim):
    if dim is None and ord is None:
        return np.linalg.norm(x.reshape(-1))
    return np.linalg.norm(x, ord=ord, axis=dim)


_reg("linalg_norm", lambda x, ord, dim: autograd.linalg.norm(x, ord, dim), _np_norm,
     _norm_setup(), domain=Domain(0.2, 3.0, distinct=0.05), covers=(), public=())


# ---------------------------------------------------------------------- scaled products
def _scale_kw():
    return st.fixed_dictionaries({"beta": st.sampled_from([1.0, 0.5, 0.0]),
                                  "alpha": st.sampled_from([1.0, -2.0])})


@st.composite
def _addmv_setup(draw):
    n, m = draw(_SIDE), draw(_SIDE)
    return ((n,) if draw(st.booleans()) else (1,), (n, m), (m,)), draw(_scale_kw())


_reg("addmv", lambda c, a, b, beta, alpha: autograd.addmv(c, a, b, beta=beta, alpha=alpha),
     lambda c, a, b, beta, alpha: beta * c + alpha * (a @ b) if beta else
     np.broadcast_to(alpha * (a @ b), np.broadcast_shapes(c.shape, (a.shape[0],))),
     _addmv_setup(), arity=3, covers=("MatMul",))


@st.composite
def _bmm_setup(draw, summed):
    b, n, m, p = draw(_SIDE), draw(_SIDE), draw(_SIDE), draw(_SIDE)
    out = (n, p) if summed else (b, n, p)
    return (out, (b, n, m), (b, m, p)), draw(_scale_kw())


_reg("baddbmm", lambda c, a, b, beta, alpha: autograd.baddbmm(c, a, b, beta=beta, alpha=alpha),
     lambda c, a, b, beta, alpha: beta * c + alpha * (a @ b), _bmm_setup(False), arity=3,
     covers=("MatMul",))
_reg("addbmm", lambda c, a, b, beta, alpha: autograd.addbmm(c, a, b, beta=beta, alpha=alpha),
     lambda c, a, b, beta, alpha: beta * c + alpha * (a @ b).sum(0), _bmm_setup(True), arity=3,
     covers=("MatMul", "Sum"))


@st.composite
def _chain_setup(draw, vectors):
    sizes = [draw(_SIDE) for _ in range(4)]
    shapes = [(sizes[i], sizes[i + 1]) for i in range(3)]
    if vectors and draw(st.booleans()):
        shapes[0] = (sizes[1],)
    if vectors and draw(st.booleans()):
        shapes[-1] = (sizes[2],)
    return tuple(shapes), {}


_reg("chain_matmul", lambda a, b, c: autograd.chain_matmul(a, b, c),
     lambda a, b, c: a @ b @ c, _chain_setup(False), arity=3, covers=("MatMul",))
_reg("multi_dot", lambda a, b, c: autograd.linalg.multi_dot([a, b, c]),
     lambda a, b, c: np.linalg.multi_dot([a, b, c]), _chain_setup(True), arity=3,
     covers=("MatMul",), public=())
