"""The regularised incomplete gamma function P(a, x) and its derivative in the shape a (NumPy
only), and the implicit reparameterisation gradient of Gamma samples built on them.

P(a, x) = gamma(a, x) / Gamma(a) = (1 / Gamma(a)) int_0^x t^(a-1) e^(-t) dt,   Q = 1 - P.

For x < a + 1 the power series P = x^a e^(-x) / Gamma(a + 1) sum_n x^n / ((a+1)...(a+n)) is
used, otherwise Legendre's continued fraction for Q (modified Lentz), as in Numerical Recipes.
dP/da is obtained by carrying the a-derivative of every term through the same recurrences
(forward-mode differentiation of the series / fraction), so it converges with them and stays
accurate (~1e-13 relative) in both tails, where 1 - P would cancel.

A Gamma(a, 1) sample x = F^-1(u; a) has dx/da = -(dP/da) / (dP/dx) at fixed u: the implicit
reparameterisation gradient (Figurnov et al., 2018) that PyTorch's `_standard_gamma_grad`
approximates.
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor
from .gamma import _digamma_array, _lgamma_array

__all__ = ["gammainc", "gammaincc", "standard_gamma_reparam"]

_EPS = 1e-17
_FPMIN = 1e-300
_MAX_ITER = 5000


def _series(a, x):
    """P and dP/da by the power series (x < a + 1)."""
    term, dterm = np.ones_like(x), np.zeros_like(x)
    s, ds = np.ones_like(x), np.zeros_like(x)
    ap = a.copy()
    for _ in range(_MAX_ITER):
        ap = ap + 1
        term = term * x / ap
        dterm = dterm * x / ap - term / ap
        s, ds = s + term, ds + dterm
        if np.all(term <= _EPS * s) and np.all(np.abs(dterm) <= _EPS * np.abs(ds) + 1e-300):
            break
    with np.errstate(divide="ignore"):
        logx = np.log(x)
    pre = np.exp(a * logx - x - _lgamma_array(a + 1))
    p = pre * s
    dp = pre * ds + np.where(p > 0, p * (logx - _digamma_array(a + 1)), 0.0)
    return p, dp


def _continued_fraction(a, x):
    """Q and dQ/da by Legendre's continued fraction (x >= a + 1)."""
    b, db = x + 1 - a, -np.ones_like(x)
    c, dc = np.full_like(x, 1 / _FPMIN), np.zeros_like(x)
    d = 1 / b
    dd = -db * d * d
    h, dh = d, dd
    for i in range(1, _MAX_ITER):
        an, dan = -i * (i - a), float(i)
        b = b + 2
        den = an * d + b
        dden = dan * d + an * dd + db
        den = np.where(np.abs(den) < _FPMIN, _FPMIN, den)
        cn = b + an / c
        dcn = db + dan / c - an * (dc / c) / c
        cn = np.where(np.abs(cn) < _FPMIN, _FPMIN, cn)
        d, dd = 1 / den, -dden / (den * den)
        c, dc = cn, dcn
        delta, ddelta = d * c, dd * c + d * dc
        h, dh = h * delta, dh * delta + h * ddelta
        if np.all(np.abs(delta - 1) <= _EPS) and np.all(np.abs(h * ddelta)
                                                        <= _EPS * np.abs(dh) + 1e-300):
            break
    logx = np.log(x)
    pre = np.exp(a * logx - x - _lgamma_array(a))
    q = pre * h
    dq = q * (logx - _digamma_array(a)) + pre * dh
    return q, dq


def _gammainc_and_da(a, x):
    """P(a, x) and dP/da (float64 arrays of the broadcast shape); P = 0 at x = 0."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    p, dp = np.zeros(a.shape), np.zeros(a.shape)
    pos = x > 0
    low = pos & (x < a + 1)
    high = pos & ~low
    if low.any():
        p[low], dp[low] = _series(a[low], x[low])
    if high.any():
        q, dq = _continued_fraction(a[high], x[high])
        p[high], dp[high] = 1 - q, -dq
    bad = np.isnan(a) | np.isnan(x) | (a <= 0) | (x < 0)
    return np.where(bad, np.nan, p), np.where(bad, np.nan, dp)


def _gamma_density(a, x):
    """dP/dx = x^(a-1) e^(-x) / Gamma(a)."""
    with np.errstate(divide="ignore"):
        return np.exp((a - 1) * np.log(x) - x - _lgamma_array(a))


def _first_order_only(g, op):
    if isinstance(g, Tensor):
        raise RuntimeError(f"{op}: the derivative in the shape parameter is first order only; "
                           f"double backward (create_graph=True) is not supported")


# ---------------------------------------------------------------------- ops
class Gammainc(Op):
    """z = P(a, x), the regularised lower incomplete gamma function.

    ga = g * dP/da (series / continued fraction, differentiated term by term);
    gx = g * x^(a-1) e^(-x) / Gamma(a).  First order only.

    Shapes: a, x broadcast  ->  z
    """

    @staticmethod
    def forward(ctx, a, x):
        p, dp = _gammainc_and_da(a, x)
        ctx.save_for_backward(a, x)
        ctx.dp = dp
        return p.astype(np.result_type(a, x), copy=False)

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "gammainc")
        a, x = ctx.saved_tensors
        from ._util import unbroadcast
        ga = unbroadcast(g * ctx.dp, a.shape).astype(a.dtype, copy=False) \
            if ctx.needs_input_grad[0] else None
        gx = unbroadcast(g * _gamma_density(a, x), x.shape).astype(x.dtype, copy=False) \
            if ctx.needs_input_grad[1] else None
        return ga, gx


class StandardGammaReparam(Op):
    """z = x, a Gamma(alpha, 1) sample drawn outside; its gradient is the implicit one.

    galpha = g * dx/dalpha = -g * (dP/dalpha)(alpha, x) / (x^(alpha-1) e^(-x) / Gamma(alpha)).
    First order only.

    Shapes: alpha, x: the same shape  ->  z
    """

    @staticmethod
    def forward(ctx, alpha, x):
        ctx.save_for_backward(alpha, x)
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "Gamma.rsample")
        alpha, x = ctx.saved_tensors
        return g * _standard_gamma_grad(alpha, x), None


def _standard_gamma_grad(alpha, x):
    """dx/dalpha at fixed CDF value, as float arrays of alpha's dtype."""
    a64, x64 = alpha.astype(np.float64), x.astype(np.float64)
    _, dp = _gammainc_and_da(a64, x64)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = -dp / _gamma_density(a64, x64)
    return np.where(np.isfinite(grad), grad, 0.0).astype(alpha.dtype, copy=False)


# ---------------------------------------------------------------------- functions
def _as_tensors(a, x):
    from ..creation import as_tensor
    a = a if isinstance(a, Tensor) else as_tensor(a)
    x = x if isinstance(x, Tensor) else as_tensor(x)
    for name, t in (("input", a), ("other", x)):
        if t.dtype.kind != "f":
            raise TypeError(f"gammainc(): expected floating {name}, got {t.dtype}")
    return a, x


def gammainc(input, other):
    """P(input, other), the regularised lower incomplete gamma function (`torch.special.
    gammainc`); differentiable in both arguments (first order; PyTorch has no derivative in
    `input`)."""
    return Gammainc.apply(*_as_tensors(input, other))


def gammaincc(input, other):
    """Q(input, other) = 1 - P(input, other), the regularised upper incomplete gamma function."""
    return 1 - gammainc(input, other)


def standard_gamma_reparam(alpha, x):
    """`x` (Gamma(alpha, 1) samples, same shape as alpha) carrying the implicit
    reparameterisation gradient dx/dalpha."""
    return StandardGammaReparam.apply(alpha, x)
