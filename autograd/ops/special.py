"""Special functions: erfc, erfinv, logit, xlogy, logaddexp, logaddexp2, nan_to_num, sinc, i0.

Backward formulas use only operators and `dual` helpers, so they run on arrays (first order)
and on Tensors (under `create_graph`). Masks that pick a branch carry no gradient, so they are
computed on the raw arrays (`_raw`). Integer inputs become the default float dtype; binary ops
broadcast, and take a Python number on either side (a weak scalar: float32 stays float32).
"""
import math

import numpy as np

from ..function import Op
from ..tensor import Tensor, _make
from ._util import dual, float_operands, to_float
from .elementwise import _cos, _erf_array, _exp, _where, sigmoid

__all__ = ["erfc", "erfinv", "logit", "xlogy", "logaddexp", "logaddexp2", "nan_to_num", "sinc",
           "i0"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)


# ---------------------------------------------------------------------- error function
class Erfc(Op):
    """z = erfc(x) = 1 - erf(x), accurate where erf(x) is close to 1.
    gx = -g * 2 / sqrt(pi) * exp(-x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erfc_array(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _exp(-(x * x)) * -_TWO_OVER_SQRT_PI


class Erfinv(Op):
    """z = erfinv(x), the y with erf(y) = x, x in [-1, 1] (+-inf at +-1, nan outside).
    gx = g * sqrt(pi) / 2 * exp(z**2)."""

    @staticmethod
    def forward(ctx, x):
        out = _erfinv_array(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * _exp(out * out) * (1.0 / _TWO_OVER_SQRT_PI)


def _erfc_array(x):
    return _vector_erfc(x).astype(x.dtype, copy=False)


try:  # NOTE: SciPy's erfc is vectorised C; without SciPy, math.erfc runs once per element.
    from scipy.special import erfc as _vector_erfc
except ImportError:
    _vector_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _erfinv_array(x):
    """erfinv in float64 (then cast to x's dtype), NumPy only.

    Winitzki's closed form, erf(y) ~ sign(y) sqrt(1 - exp(-y**2 (4/pi + a y**2) / (1 + a y**2)))
    with a = 0.147, inverted exactly, starts within ~0.2% of the root; three Halley steps on
    f(y) = erf(y) - |x| (cubic convergence: f'' = -2 y f') reach float64 accuracy. Where
    |x| > 0.5 the residual is taken as (1 - |x|) - erfc(y), which is exact in the tail where
    erf(y) rounds to 1.
    """
    a = np.abs(np.asarray(x, np.float64))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.log1p(-a) + np.log1p(a)                      # log(1 - a**2), -inf at a == 1
        c = 2.0 / (math.pi * 0.147) + 0.5 * w
        y = np.sqrt(np.sqrt(c * c - w / 0.147) - c)
        tail = a > 0.5
        for _ in range(3):
            f = np.where(tail, (1.0 - a) - _vector_erfc(y), _erf_array(y) - a)
            d = f / (_TWO_OVER_SQRT_PI * np.exp(-y * y))
            y = y - d / (1.0 + y * d)
        y = np.where(a == 1.0, np.inf, y)
    return np.copysign(y, x).astype(x.dtype, copy=False)


# ---------------------------------------------------------------------- logit and xlogy
class Logit(Op):
    """z = log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given (>= 0).

    gx = g / (x (1 - x)) inside [eps, 1 - eps] and 0 outside; without eps, nan outside [0, 1]
    (both as PyTorch).
    """

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        if eps is not None and eps >= 0:
            lo, hi = eps, 1.0 - eps
            # NOTE: checked in this order (not np.clip) so eps > 0.5 gives PyTorch's value.
            x = np.where(x < lo, lo, np.where(x > hi, hi, x)).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x / (1.0 - x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        eps = ctx.eps
        xd = _raw(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = g / (x * (1.0 - x))
        if eps is not None and eps >= 0:
            return _where((xd < eps) | (xd > 1.0 - eps), 0.0, gx), None
        return _where((xd < 0.0) | (xd > 1.0), math.nan, gx), None


class Xlogy(Op):
    """z = x * log(y), and 0 where x == 0 unless y is nan (PyTorch's rule).

    gx = g * log(y) (0 where x == 0 and y <= 0),  gy = g * x / y.
    Shapes: x, y broadcast  ->  broadcast(x, y).
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xlogy_array(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if nx:
                xd, yd = _raw(x), _raw(y)
                gx = _where((xd == 0) & (yd <= 0), 0.0, _xlogy(g, y))
            if ny:
                gy = g * x / y
        return gx, gy


def _xlogy_array(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    zero = (np.asarray(x) == 0) & ~np.isnan(y)
    return np.where(zero, 0.0, out).astype(out.dtype, copy=False)


# ---------------------------------------------------------------------- log-add-exp
class LogAddExp(Op):
    """z = log(exp(a) + exp(b)) = max(a, b) + log1p(exp(-|a - b|)) (no overflow).

    ga = g * sigmoid(a - b),  gb = g * sigmoid(b - a).   Shapes: broadcast(a, b).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        with np.errstate(invalid="ignore"):
            d = a - b
        return (g * _sigmoid(d) if na else None,
                g * _sigmoid(-d) if nb else None)


class LogAddExp2(Op):
    """z = log2(2**a + 2**b) (no overflow).

    ga = g * sigmoid((a - b) ln 2),  gb = g * sigmoid((b - a) ln 2).   Shapes: broadcast(a, b).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        with np.errstate(invalid="ignore"):
            d = (a - b) * _LN2
        return (g * _sigmoid(d) if na else None,
                g * _sigmoid(-d) if nb else None)


# ---------------------------------------------------------------------- nan_to_num, sinc
class NanToNum(Op):
    """z = x with nan, +inf, -inf replaced by numbers.   gx = g where x is finite, else 0."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(np.isfinite(x))
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        finite, = ctx.saved_tensors
        return g * finite, None, None, None


class Sinc(Op):
    """z = sin(pi x) / (pi x), 1 at x == 0.   gx = g * (cos(pi x) - z) / x.

    NOTE: that difference cancels for small x, so where |pi x| < 0.3 the gradient is the
    Taylor series pi * t * (-1/3 + t**2/30 - t**4/840 + ...), t = pi x (six terms: float64
    accurate), which is also right at x == 0 for double backward.
    """

    @staticmethod
    def forward(ctx, x):
        out = np.sinc(x).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        small = np.abs(_raw(x)) < 0.3 / math.pi
        t = x * math.pi
        s = t * t
        series = _SINC_SERIES[0]
        for c in _SINC_SERIES[1:]:
            series = series * s + c
        with np.errstate(divide="ignore", invalid="ignore"):
            direct = (_cos(t) - out) / _where(small, 1.0, x)
        return g * _where(small, series * t * math.pi, direct)


# d/dt sinc = t * sum_k (-1)^k 2k t^(2k-2) / (2k+1)!, highest power first (Horner)
_SINC_SERIES = tuple((-1) ** k * 2 * k / math.factorial(2 * k + 1) for k in range(6, 0, -1))


# ---------------------------------------------------------------------- Bessel
class I0(Op):
    """z = I0(x), the modified Bessel function of the first kind, order 0.   gx = g * I1(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.i0(x).astype(x.dtype, copy=False)  # nan at +-inf, as PyTorch

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _i1(x)


class I1(Op):
    """z = I1(x), order 1 (the derivative of I0; not public).
    gx = g * (I0(x) - I1(x) / x);  g * (1/2 + 3 x**2 / 16) for |x| < 1e-4 (its series, which
    stays exact where x / 2 is subnormal)."""

    @staticmethod
    def forward(ctx, x):
        out = _i1_array(x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        small = np.abs(_raw(x)) < 1e-4
        series = x * x * 0.1875 + 0.5
        return g * _where(small, series, _i0(x) - out / _where(small, 1.0, x))


def _i1_array(x):
    """I1(x) = sum_k (x/2)**(2k+1) / (k! (k+1)!) in float64: every term has the sign of x, so
    the sum has no cancellation; it runs until the terms past the peak (k ~ |x|/2) are below
    rounding. nan at +-inf and nan, as PyTorch."""
    v = np.asarray(x, np.float64)
    finite = np.isfinite(v)
    h = np.where(finite, v, 0.0) * 0.5
    term = h.copy()
    total = h.copy()
    big = float(np.abs(h).max(initial=0.0))
    for k in range(int(big + 10.0 * math.sqrt(big) + 30)):
        term = term * (h * h) / ((k + 1) * (k + 2))
        total = total + term
    return np.where(finite, total, np.nan).astype(x.dtype, copy=False)


# ---------------------------------------------------------------------- dual helpers
def _raw(v):
    """The array under a Tensor (for masks, which carry no gradient)."""
    return v._data if isinstance(v, Tensor) else v


def _sigmoid_array(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e).astype(e.dtype, copy=False) / (1.0 + e)


_sigmoid = dual(lambda t: sigmoid(t), _sigmoid_array)
_i0 = dual(lambda t: I0.apply(t), lambda a: np.i0(a).astype(a.dtype, copy=False))
_i1 = dual(lambda t: I1.apply(t), _i1_array)
_xlogy = dual(lambda t, y: xlogy(t, y), _xlogy_array)


# ---------------------------------------------------------------------- public functions
def erfc(input):
    """The complementary error function 1 - erf(input), accurate for large input."""
    return Erfc.apply(to_float(input))


def erfinv(input):
    """The inverse error function: erf(erfinv(x)) = x on [-1, 1]."""
    return Erfinv.apply(to_float(input))


def logit(input, eps=None):
    """log(p / (1 - p)); with `eps`, p is first clamped to [eps, 1 - eps]."""
    if eps is not None and not isinstance(eps, (int, float, np.number)):
        raise TypeError(f"logit(): eps must be a number or None, got {type(eps).__name__}")
    return Logit.apply(to_float(input), None if eps is None else float(eps))


def xlogy(input, other):
    """input * log(other), 0 where input == 0 (unless other is nan); broadcasting."""
    a, b = float_operands(input, other, "xlogy")
    return Xlogy.apply(a, b)


def logaddexp(input, other):
    """log(exp(input) + exp(other)), computed without overflow; broadcasting."""
    a, b = float_operands(input, other, "logaddexp")
    return LogAddExp.apply(a, b)


def logaddexp2(input, other):
    """log2(2**input + 2**other), computed without overflow; broadcasting."""
    a, b = float_operands(input, other, "logaddexp2")
    return LogAddExp2.apply(a, b)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """`input` with nan replaced by `nan`, +inf by `posinf` and -inf by `neginf` (by default
    the largest and lowest finite values of its dtype). Integer tensors are returned copied."""
    if not isinstance(input, Tensor):
        raise TypeError(f"nan_to_num(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input._data.dtype.kind != "f":
        return _make(input._data.copy(), None)
    return NanToNum.apply(input, 0.0 if nan is None else nan, posinf, neginf)


def sinc(input):
    """The normalized sinc function sin(pi x) / (pi x), 1 at 0."""
    return Sinc.apply(to_float(input))


def i0(input):
    """The modified Bessel function of the first kind, order 0 (nan at +-inf, as PyTorch)."""
    return I0.apply(to_float(input))
