"""Special functions the distributions need: lgamma, digamma and the polygamma family.

NumPy only. Each is shifted upward by its recurrence until the argument is large, then summed from
its asymptotic (Stirling / Bernoulli-number) series; arguments below 1/2 use the reflection
formula where one exists. Accuracy in float64 is ~1e-14 absolute for arguments in (0, 1e6).

The ops chain: lgamma' = digamma = polygamma(0), polygamma(n)' = polygamma(n + 1), so backward
of any order is exact.
"""
import math

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ..ops._util import to_float
from ..ops.elementwise import _exp

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "erfinv"]

# B_2, B_4, ..., B_16 (Bernoulli numbers of the asymptotic series)
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_LARGE = 10.0  # the series are summed at arguments at least this large
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _shift_up(x, lo, term):
    """(x shifted by whole steps to >= lo, sum of `term(x + k)` over the steps taken)."""
    x = x.copy()
    acc = np.zeros_like(x)
    small = x < lo
    while small.any():
        acc[small] += term(x[small])
        x[small] += 1.0
        small = x < lo
    return x, acc


def _lgamma_array(x):
    """log|Gamma(x)| of a float array (inf at the poles 0, -1, -2, ...)."""
    x64 = np.asarray(x, np.float64)
    out = np.empty_like(x64)
    pole = (x64 <= 0) & (x64 == np.floor(x64))
    reflect = (x64 < 0.5) & ~pole
    z = np.where(reflect, 1.0 - x64, x64)
    z = np.where(pole | ~np.isfinite(z), _LARGE, z)  # placeholders, overwritten below
    z, logs = _shift_up(z, _LARGE, np.log)
    zi = 1.0 / z
    zi2 = zi * zi
    series = 0.0
    for k in range(len(_BERNOULLI), 0, -1):  # Horner in 1/z^2
        series = series * zi2 + _BERNOULLI[k - 1] / (2 * k * (2 * k - 1))
    out[...] = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series * zi - logs
    if reflect.any():
        xr = x64[reflect]
        out[reflect] = math.log(math.pi) - np.log(np.abs(np.sin(math.pi * xr))) - out[reflect]
    out[pole] = np.inf
    big = np.isinf(x64)
    out[big] = np.inf
    out[np.isnan(x64)] = np.nan
    return out.astype(np.result_type(x), copy=False)


def _polygamma_array(n, x):
    """The n-th derivative of digamma of a float array (n = 0: digamma itself)."""
    x64 = np.asarray(x, np.float64)
    pole = (x64 <= 0) & (x64 == np.floor(x64))
    reflect = (x64 < 0.5) & ~pole if n <= 1 else np.zeros_like(pole)
    z = np.where(reflect, 1.0 - x64, x64)
    z = np.where(pole | ~np.isfinite(z), _LARGE, z)
    lo = _LARGE + 2 * n
    fact = math.factorial(n)
    sign = -1.0 if n % 2 else 1.0  # (-1)^n
    # psi_n(x) = psi_n(x + 1) - (-1)^n n! / x^(n+1)
    z, corr = _shift_up(z, lo, lambda t: sign * fact / t ** (n + 1))
    zi = 1.0 / z
    zi2 = zi * zi
    if n == 0:
        series = 0.0
        for k in range(len(_BERNOULLI), 0, -1):
            series = series * zi2 + _BERNOULLI[k - 1] / (2 * k)
        out = np.log(z) - 0.5 * zi - series * zi2
    else:
        # (-1)^(n+1) [ (n-1)!/z^n + n!/(2 z^(n+1)) + sum_k B_2k (2k+n-1)! / ((2k)! z^(2k+n)) ]
        series = 0.0
        for k in range(len(_BERNOULLI), 0, -1):
            c = _BERNOULLI[k - 1] * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
            series = series * zi2 + c
        total = math.factorial(n - 1) * zi ** n + fact * 0.5 * zi ** (n + 1) \
            + series * zi ** (n + 2)
        out = -sign * total
    out = np.array(out - corr, dtype=np.float64)
    if reflect.any():
        xr = x64[reflect]
        if n == 0:  # psi(x) = psi(1 - x) - pi / tan(pi x)
            out[reflect] = out[reflect] - math.pi / np.tan(math.pi * xr)
        else:  # psi_1(x) = pi^2 / sin^2(pi x) - psi_1(1 - x)
            out[reflect] = (math.pi / np.sin(math.pi * xr)) ** 2 - out[reflect]
    if n == 0:
        out[pole] = np.where(x64[pole] == 0, -np.inf, np.nan)
    else:
        out[pole] = np.inf if n % 2 else -np.inf
    out[np.isnan(x64)] = np.nan
    out[np.isposinf(x64)] = np.inf if n == 0 else 0.0
    out[np.isneginf(x64)] = np.nan
    return out.astype(np.result_type(x), copy=False)


class Lgamma(Op):
    """z = log|Gamma(x)|.   gx = g * digamma(x).

    Shapes: x: (*)  ->  (*)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma_array(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _polygamma(0, x)


class Polygamma(Op):
    """z = psi_n(x), the n-th derivative of digamma (n = 0: digamma).   gx = g * psi_(n+1)(x).

    Shapes: x: (*)  ->  (*)
    """

    @staticmethod
    def forward(ctx, x, n):
        ctx.n = n
        ctx.save_for_backward(x)
        return _polygamma_array(n, x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _polygamma(ctx.n + 1, x), None


def _polygamma(n, x):
    """polygamma for backward formulas: recorded on Tensors, plain on arrays."""
    if isinstance(x, Tensor):
        return Polygamma.apply(x, n)
    return _polygamma_array(n, x)


def lgamma(input):
    """log|Gamma(input)| elementwise (inf at 0, -1, -2, ...)."""
    return Lgamma.apply(to_float(input))


def digamma(input):
    """d/dx lgamma(x) elementwise (-inf at 0, nan at the negative integers)."""
    return Polygamma.apply(to_float(input), 0)


def polygamma(n, input):
    """The n-th derivative of digamma elementwise. For n >= 2 negative arguments are reached by
    the recurrence alone (slow far below zero)."""
    if not isinstance(n, int) or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got {n}")
    return Polygamma.apply(to_float(input), n)


def mvlgamma(input, p):
    """log of the multivariate gamma function of dimension p:
    p (p - 1) / 4 log(pi) + sum_{i<p} lgamma(x - i / 2)."""
    from ..ops.shape import stack
    terms = stack([lgamma(input - 0.5 * i) for i in range(p)], -1)
    return terms.sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


_erfc = np.vectorize(math.erfc, otypes=[np.float64])

# Giles (2010), "Approximating the erfinv function": single-precision starting points.
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _erfinv_array(y):
    """Inverse error function of a float array: Giles' approximation polished by Newton steps
    on erf (±inf at ±1, nan outside [-1, 1])."""
    from ..ops.elementwise import _vector_erf
    y64 = np.asarray(y, np.float64)
    inner = np.abs(y64) < 1
    yc = np.where(inner, y64, 0.0)
    w = -np.log((1.0 - yc) * (1.0 + yc))
    central = w < 5.0
    wc, wt = w - 2.5, np.sqrt(w) - 3.0
    pc = pt = 0.0
    for a, b in zip(_ERFINV_CENTRAL, _ERFINV_TAIL):
        pc, pt = pc * wc + a, pt * wt + b
    x = np.where(central, pc, pt) * yc
    slope = 2.0 / math.sqrt(math.pi)
    tail = np.abs(yc) > 0.9
    start = x = np.array(x, dtype=np.float64)
    for _ in range(2):  # each Newton step squares the relative error (~1e-7 to start)
        x = np.asarray(x - (_vector_erf(x) - yc) / (slope * np.exp(-x * x)))
    if tail.any():
        # NOTE: near +-1, erf(x) - y cancels; solve log erfc(|x|) = log(1 - |y|) instead.
        xt, c = np.abs(start[tail]), 1.0 - np.abs(yc[tail])
        for _ in range(4):  # Newton on log erfc, which is nearly quadratic in x
            e = _erfc(xt)
            xt = xt + (np.log(e) - np.log(c)) * e / (slope * np.exp(-xt * xt))
        x[tail] = np.copysign(xt, yc[tail])
    x = np.where(inner, x, np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), np.nan))
    return np.asarray(x).astype(np.result_type(y), copy=False)


class Erfinv(Op):
    """z = erfinv(y).   gy = g * sqrt(pi) / 2 * exp(z^2)."""

    @staticmethod
    def forward(ctx, y):
        out = _erfinv_array(y)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * _exp(out * out) * (math.sqrt(math.pi) / 2)


def erfinv(input):
    """The inverse of erf on (-1, 1) elementwise."""
    return Erfinv.apply(to_float(input))
