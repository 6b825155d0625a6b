"""The gamma family: lgamma, digamma, polygamma, mvlgamma (NumPy only, float64 accurate).

Each derivative is the next function of the family (lgamma' = digamma, digamma' = polygamma(1),
polygamma(n)' = polygamma(n + 1)), so every order of gradient is another op of this file.

All three are computed in float64 (then cast back) the same way: shift x up with the recurrence
Gamma(x + 1) = x Gamma(x) until x >= 10 (or more for high orders), then sum the asymptotic
(Stirling) series, whose terms are Bernoulli numbers over powers of x. lgamma and digamma use the
reflection formula for negative x; polygamma shifts negative x up as well.
"""
import math

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import dual, to_float

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma"]

# B_2, B_4, ..., B_20
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_LOG_PI = math.log(math.pi)


def _shift_up(z, threshold, step):
    """Add 1 to every element of `z` below `threshold` until none is; `step(mask, z)` runs
    before each increment on the elements being shifted."""
    finite = np.isfinite(z)
    low = z[finite]
    if low.size == 0:
        return z
    for _ in range(int(max(0.0, math.ceil(threshold - low.min())))):
        m = finite & (z < threshold)
        step(m, z)
        z = np.where(m, z + 1.0, z)
    return z


def _frac_near(x):
    """x - round(x), exact, in [-0.5, 0.5] (so sin(pi x) = +-sin(pi f) and tan(pi x) = tan(pi f)
    with f == 0 exactly at integers)."""
    return x - np.round(x)


def _lgamma_array(x):
    """log|Gamma(x)|: inf at 0 and the negative integers."""
    v = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        neg = v < 0
        z = np.where(neg, 1.0 - v, v)
        prod = np.ones_like(z)

        def step(m, z):
            prod[m] *= z[m]
        z = _shift_up(z, 10.0, step)
        zi = 1.0 / z
        zi2 = zi * zi
        series = np.zeros_like(z)
        for k in range(len(_BERNOULLI), 0, -1):
            series = series * zi2 + _BERNOULLI[k - 1] / (2 * k * (2 * k - 1))
        big = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series * zi
        out = big - np.log(prod)
        f = _frac_near(v)
        reflected = _LOG_PI - np.log(np.abs(np.sin(math.pi * f))) - out
        out = np.where(neg, reflected, out)
        out = np.where(np.isinf(v), np.inf, out)
        out = np.where((v == 1.0) | (v == 2.0), 0.0, out)  # the two exact zeros
    return out.astype(x.dtype, copy=False)


def _digamma_array(x):
    """psi(x) = Gamma'(x) / Gamma(x): -inf at +0 and +inf at -0 (PyTorch's signs), nan at the
    negative integers and -inf."""
    v = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        neg = v < 0
        z = np.where(neg, 1.0 - v, v)
        acc = np.zeros_like(z)

        def step(m, z):
            acc[m] -= 1.0 / z[m]
        z = _shift_up(z, 10.0, step)
        zi2 = 1.0 / (z * z)
        series = np.zeros_like(z)
        for k in range(len(_BERNOULLI), 0, -1):
            series = series * zi2 + _BERNOULLI[k - 1] / (2 * k)
        out = np.log(z) - 0.5 / z - series * zi2 + acc
        f = _frac_near(v)
        reflected = out - math.pi / np.tan(math.pi * f)
        out = np.where(neg, np.where(f == 0, np.nan, reflected), out)
        out = np.where(v == 0, np.copysign(np.inf, -v), out)
    return out.astype(x.dtype, copy=False)


def _polygamma_array(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1 (the Hurwitz zeta summed directly
    up to z >= threshold, then its Euler-Maclaurin tail)."""
    if n == 0:
        return _digamma_array(x)
    v = np.asarray(x, np.float64)
    s = n + 1
    with np.errstate(all="ignore"):
        acc = np.zeros_like(v)

        def step(m, z):
            acc[m] += z[m] ** -s
        z = _shift_up(v.copy(), 20.0 + n, step)
        tail = z ** (1 - s) / (s - 1) + 0.5 * z ** -s
        rising = float(s)          # s (s + 1) ... (s + 2k - 2)
        fact = 2.0                 # (2k)!
        zpow = z ** (-s - 1)       # z ** (-s - 2k + 1)
        for k in range(1, len(_BERNOULLI) + 1):
            tail = tail + _BERNOULLI[k - 1] / fact * rising * zpow
            rising *= (s + 2 * k - 1) * (s + 2 * k)
            fact *= (2 * k + 1) * (2 * k + 2)
            zpow = zpow / (z * z)
        zeta = np.where(np.isposinf(v), 0.0, acc + tail)
        out = (-1) ** (n + 1) * math.factorial(n) * zeta
    return out.astype(x.dtype, copy=False)


# ---------------------------------------------------------------------- ops
class Lgamma(Op):
    """z = log|Gamma(x)|.   gx = g * digamma(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma_array(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _digamma(x)


class Digamma(Op):
    """z = psi(x) = d/dx log Gamma(x).   gx = g * polygamma(1, x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _digamma_array(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _polygamma(x, 1)


class Polygamma(Op):
    """z = psi^(n)(x), the n-th derivative of digamma (n >= 1).   gx = g * polygamma(n + 1, x)."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _polygamma_array(n, x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _polygamma(x, ctx.n + 1), None


_digamma = dual(lambda t: Digamma.apply(t), _digamma_array)
_polygamma = dual(lambda t, n: Polygamma.apply(t, n), lambda a, n: _polygamma_array(n, a))


# ---------------------------------------------------------------------- public functions
def _float_input(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return to_float(input)


def lgamma(input):
    """log|Gamma(input)|, the log of the gamma function's absolute value (inf at the poles)."""
    return Lgamma.apply(_float_input(input, "lgamma"))


def digamma(input):
    """psi(input) = d/dx log Gamma(x), the logarithmic derivative of the gamma function."""
    return Digamma.apply(_float_input(input, "digamma"))


def polygamma(n, input):
    """psi^(n)(input), the n-th derivative of digamma (polygamma(0, x) is digamma(x))."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = _float_input(input, "polygamma")
    return Digamma.apply(x) if n == 0 else Polygamma.apply(x, int(n))


def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension p:
    log(pi) p (p - 1) / 4 + sum_{j < p} lgamma(input - j / 2)."""
    if not isinstance(p, (int, np.integer)) or isinstance(p, bool) or p < 1:
        raise RuntimeError(f"mvlgamma(): p has to be greater than or equal to 1, got {p!r}")
    x = _float_input(input, "mvlgamma")
    out = lgamma(x)
    for j in range(1, p):
        out = out + lgamma(x - j / 2)
    return out + _LOG_PI * p * (p - 1) / 4
