"""Registry entries: autograd.distributions (the log-densities and quantiles built on the gamma
functions, erfinv, the Cholesky factor and triangular solves), each against a NumPy reference
written from the formula."""
import math

import numpy as np
from hypothesis import strategies as st

from ..registry import OpSpec, broadcast_shapes, register
from ..strategies import Domain, broadcastable_shapes

FAMILY = "distributions"
POSITIVE = Domain(0.2, 5.0)
_lgamma_ref = np.vectorize(math.lgamma, otypes=[np.float64])


def _ops():
    from autograd import distributions
    return distributions


D = _ops()


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
    n = a.shape[-1]
    cov = a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
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


register(OpSpec("dist_normal_icdf", lambda q, m, s: D.Normal(m, s).icdf(q),
                lambda q, m, s: m + s * math.sqrt(2) * _erfinv_ref(2 * q - 1), FAMILY,
                domains=(Domain(0.05, 0.95), Domain(), POSITIVE), shapes=broadcast_shapes(3),
                public=(), covers=("Erfinv",), atol=1e-10, rtol=1e-10))


# ---------------------------------------------------------------------- incomplete gamma
def _tanh_sinh_nodes(h=1 / 64, t_max=5.0):
    """Nodes s in (0, 1) and weights of the tanh-sinh rule (exact to ~1e-14 even with an
    integrable singularity at s = 0), with s(1 - s) kept accurate near both ends."""
    t = np.arange(-t_max, t_max + h / 2, h)
    w = math.pi * np.sinh(t)
    s = 1 / (1 + np.exp(-w))
    s1ms = np.exp(-np.abs(w)) / (1 + np.exp(-np.abs(w))) ** 2
    return s, h * math.pi * np.cosh(t) * s1ms


_TS_S, _TS_W = _tanh_sinh_nodes()


def _gammainc_ref(a, x):
    # P(a, x) = x^a / Gamma(a) int_0^1 s^(a-1) e^(-x s) ds, by quadrature
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    s = _TS_S.reshape((-1,) + (1,) * a.ndim)
    w = _TS_W.reshape((-1,) + (1,) * a.ndim)
    integral = (w * np.exp((a - 1) * np.log(s) - x * s)).sum(0)
    return np.exp(a * np.log(x) - _lgamma_ref(a)) * integral


def _gammainc_fn(a, x):
    from autograd.ops.igamma import gammainc
    return gammainc(a, x)


register(OpSpec("gammainc", _gammainc_fn, _gammainc_ref, FAMILY,
                domains=(Domain(0.2, 5.0), Domain(0.05, 8.0)), shapes=broadcast_shapes(2),
                public=(), covers=("Gammainc",), atol=1e-12, rtol=1e-11,
                double_backward=False,
                notes="the derivative in a is first order only (forward-mode through the "
                      "series / continued fraction); double backward raises RuntimeError"))


def _bisect(cdf, a, u, hi=60.0, steps=80):
    lo, hi = np.zeros_like(a), np.full_like(a, hi)
    for _ in range(steps):
        mid = (lo + hi) / 2
        below = cdf(a, mid) < u
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def _reparam_kwargs(shapes):
    from hypothesis.extra import numpy as hnp
    return st.fixed_dictionaries({"u": hnp.arrays(np.float64, shapes[0],
                                                  elements=st.floats(0.1, 0.9))})


def _reparam_fn(alpha, u):
    # x = F^-1(u; alpha) found in NumPy (no graph); its gradient comes from the op alone, so
    # gradcheck's finite differences of x in alpha test the implicit gradient.
    import autograd
    from autograd.ops.igamma import _gammainc_and_da, standard_gamma_reparam
    a = alpha.detach().numpy().astype(np.float64)
    x = _bisect(lambda a, x: _gammainc_and_da(a, x)[0], a, np.asarray(u, np.float64))
    return standard_gamma_reparam(alpha, autograd.tensor(x, dtype=alpha.dtype))


register(OpSpec("standard_gamma_reparam", _reparam_fn,
                lambda alpha, u: _bisect(_gammainc_ref, alpha, u), FAMILY,
                domains=(Domain(0.3, 5.0),), kwargs=_reparam_kwargs, public=(),
                covers=("StandardGammaReparam",), atol=1e-10, rtol=1e-10,
                double_backward=False,
                notes="the sample is drawn outside the graph; only the first-order implicit "
                      "gradient dx/dalpha = -(dP/dalpha) / (dP/dx) exists"))
