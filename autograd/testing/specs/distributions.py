"""Registry entries: autograd.distributions (its private special-function and matrix ops, and
the log-densities built on them), each against a NumPy reference written from the formula."""
import math

import numpy as np
from hypothesis import strategies as st

from ..registry import OpSpec, broadcast_shapes, register
from ..strategies import Domain, broadcastable_shapes

FAMILY = "distributions"
POSITIVE = Domain(0.2, 5.0)
_lgamma_ref = np.vectorize(math.lgamma, otypes=[np.float64])


def _ops():
    from autograd import distributions as D
    from autograd.distributions import _linalg, _special
    return D, _linalg, _special


D, _linalg, _special = _ops()


def _digamma_ref(x, h=1e-4):
    # Richardson-extrapolated central difference of math.lgamma (error ~h^4, ~1e-13 here)
    d1 = (_lgamma_ref(x + h) - _lgamma_ref(x - h)) / (2 * h)
    d2 = (_lgamma_ref(x + 2 * h) - _lgamma_ref(x - 2 * h)) / (4 * h)
    return (4 * d1 - d2) / 3


def _trigamma_ref(x, terms=200000):
    # sum_k 1 / (x + k)^2 with the Euler-Maclaurin tail 1/N + 1/(2 N^2) + 1/(6 N^3)
    x = np.asarray(x, np.float64)
    k = np.arange(terms, dtype=np.float64)
    head = (1.0 / (x[..., None] + k) ** 2).sum(-1)
    n = x + terms
    return head + 1 / n + 1 / (2 * n ** 2) + 1 / (6 * n ** 3)


# ---------------------------------------------------------------------- special functions
register(OpSpec("dist_lgamma", _special.lgamma, _lgamma_ref, FAMILY, domains=(POSITIVE,),
                covers=("Lgamma",), public=(), atol=1e-12, rtol=1e-12))
register(OpSpec("dist_lgamma_negative", _special.lgamma, _lgamma_ref, FAMILY,
                domains=(Domain(-2.9, -0.1, avoid=(-2.0, -1.0), gap=0.15),),
                covers=("Lgamma",), public=(), atol=1e-11, rtol=1e-11,
                notes="the reflection formula below 1/2"))
register(OpSpec("dist_digamma", _special.digamma, _digamma_ref, FAMILY, domains=(POSITIVE,),
                covers=("Polygamma",), public=(), atol=1e-8, rtol=1e-8))
register(OpSpec("dist_trigamma", lambda x: _special.polygamma(1, x), _trigamma_ref, FAMILY,
                domains=(Domain(0.2, 5.0),), shapes=st.just(((2,),)) | st.just(((),)),
                covers=("Polygamma",), public=(), atol=1e-9, rtol=1e-9))


# ---------------------------------------------------------------------- matrix ops
@st.composite
def _square_and_rhs(draw):
    n, k = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=1, max_side=2))
    return (batch_a + (n, n), batch_b + (n, k))


@st.composite
def _square(draw):
    n = draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(), (2,)]))
    return (batch + (n, n),)


def _spd(x):
    """x x^T + n I: symmetric positive definite, a smooth function of any x."""
    n = x.shape[-1]
    return x @ x.swapaxes(-1, -2) + n * np.eye(n)


def _chol_fn(x):
    n = x.shape[-1]
    return _linalg.cholesky(x @ x.swapaxes(-1, -2) + n * np.eye(n, dtype=x.dtype))


def _solve_fn(upper):
    def fn(a, b):
        n = a.shape[-1]
        return _linalg.solve_triangular(a + 4 * np.eye(n, dtype=a.dtype), b, upper=upper)
    return fn


def _solve_ref(upper):
    def ref(a, b):
        t = a + 4 * np.eye(a.shape[-1])
        return np.linalg.solve(np.triu(t) if upper else np.tril(t), b)
    return ref


register(OpSpec("dist_cholesky", _chol_fn, lambda x: np.linalg.cholesky(_spd(x)), FAMILY,
                domains=(Domain(-1.0, 1.0),), shapes=_square(), covers=("Cholesky", "MatMul"),
                public=(), atol32=1e-4))
register(OpSpec("dist_solve_triangular_lower", _solve_fn(False), _solve_ref(False), FAMILY,
                domains=(Domain(-1.0, 1.0), Domain()), shapes=_square_and_rhs(),
                covers=("SolveTriangular",), public=()))
register(OpSpec("dist_solve_triangular_upper", _solve_fn(True), _solve_ref(True), FAMILY,
                domains=(Domain(-1.0, 1.0), Domain()), shapes=_square_and_rhs(),
                covers=("SolveTriangular",), public=()))


# ---------------------------------------------------------------------- log-densities
def _normal_ref(x, loc, scale):
    return -(x - loc) ** 2 / (2 * scale ** 2) - np.log(scale) - 0.5 * math.log(2 * math.pi)


def _gamma_ref(x, a, b):
    return a * np.log(b) + (a - 1) * np.log(x) - b * x - _lgamma_ref(a)


def _beta_ref(x, a, b):
    return (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) \
        - (_lgamma_ref(a) + _lgamma_ref(b) - _lgamma_ref(a + b))


register(OpSpec("dist_normal_log_prob", lambda x, m, s: D.Normal(m, s).log_prob(x), _normal_ref,
                FAMILY, domains=(Domain(), Domain(), POSITIVE), shapes=broadcast_shapes(3),
                public=(), covers=("Log",)))
register(OpSpec("dist_gamma_log_prob", lambda x, a, b: D.Gamma(a, b).log_prob(x), _gamma_ref,
                FAMILY, domains=(POSITIVE, POSITIVE, POSITIVE), shapes=broadcast_shapes(3),
                public=(), covers=("Lgamma",)))
register(OpSpec("dist_beta_log_prob", lambda x, a, b: D.Beta(a, b).log_prob(x), _beta_ref,
                FAMILY, domains=(Domain(0.1, 0.9), POSITIVE, POSITIVE),
                shapes=broadcast_shapes(3), public=(), covers=("Lgamma",)))


def _categorical_ref(logits, index):
    lse = np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) \
        + logits.max(-1, keepdims=True)
    return np.take_along_axis(logits - lse, index[..., None], -1)[..., 0]


@st.composite
def _categorical_setup(draw):
    batch = draw(st.sampled_from([(), (2,), (2, 3)]))
    k = draw(st.integers(1, 4))
    index = draw(st.lists(st.integers(0, k - 1), min_size=int(np.prod(batch)),
                          max_size=int(np.prod(batch))))
    return (batch + (k,),), {"index": np.array(index, np.int64).reshape(batch)}


register(OpSpec("dist_categorical_log_prob",
                lambda logits, index: D.Categorical(logits=logits).log_prob(
                    __import__("autograd").tensor(index)),
                _categorical_ref, FAMILY, setup=_categorical_setup(), public=(),
                covers=("Gather",)))


def _bernoulli_ref(logits, value):
    return value * logits - np.logaddexp(0.0, logits)


def _bernoulli_kwargs(shapes):
    from hypothesis.extra import numpy as hnp
    return st.fixed_dictionaries({"value": hnp.arrays(np.float64, shapes[0],
                                                      elements=st.sampled_from([0.0, 1.0]))})


register(OpSpec("dist_bernoulli_log_prob",
                lambda logits, value: D.Bernoulli(logits=logits).log_prob(
                    __import__("autograd").tensor(value, dtype=logits.dtype)),
                _bernoulli_ref, FAMILY, domains=(Domain(-30.0, 30.0),),
                kwargs=_bernoulli_kwargs, public=(), covers=("Softplus",)))


def _mvn_fn(x, loc, a):
    n = a.shape[-1]
    cov = a @ a.swapaxes(-1, -2) + n * np.eye(n, dtype=a.dtype)
    return D.MultivariateNormal(loc, covariance_matrix=cov).log_prob(x)


def _mvn_ref(x, loc, a):
    cov = _spd(a)
    diff = x - loc
    sol = np.linalg.solve(cov, diff[..., None])[..., 0]
    n = a.shape[-1]
    _, logdet = np.linalg.slogdet(cov)
    return -0.5 * (n * math.log(2 * math.pi) + (diff * sol).sum(-1) + logdet)


@st.composite
def _mvn_shapes(draw):
    n = draw(st.integers(1, 3))
    bx, bl, ba = draw(broadcastable_shapes(3, max_dims=1, max_side=2))
    return (bx + (n,), bl + (n,), ba + (n, n))


register(OpSpec("dist_mvn_log_prob", _mvn_fn, _mvn_ref, FAMILY,
                domains=(Domain(), Domain(), Domain(-1.0, 1.0)), shapes=_mvn_shapes(),
                public=(), covers=("Cholesky", "SolveTriangular"), atol32=1e-4))


def _erfinv_ref(y):
    # bisection on math.erf to full precision (60 halvings of [-6, 6])
    y = np.asarray(y, np.float64)
    lo, hi = np.full(y.shape, -6.0), np.full(y.shape, 6.0)
    erf = np.vectorize(math.erf, otypes=[np.float64])
    for _ in range(60):
        mid = (lo + hi) / 2
        below = erf(mid) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


register(OpSpec("dist_erfinv", _special.erfinv, _erfinv_ref, FAMILY,
                domains=(Domain(-0.95, 0.95),), covers=("Erfinv",), public=(),
                atol=1e-12, rtol=1e-12))
register(OpSpec("dist_normal_icdf", lambda q, m, s: D.Normal(m, s).icdf(q),
                lambda q, m, s: m + s * math.sqrt(2) * _erfinv_ref(2 * q - 1), FAMILY,
                domains=(Domain(0.05, 0.95), Domain(), POSITIVE), shapes=broadcast_shapes(3),
                public=(), covers=("Erfinv",), atol=1e-10, rtol=1e-10))
