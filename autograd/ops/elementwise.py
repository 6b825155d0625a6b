"""Elementwise ops: arithmetic with broadcasting, unary math, comparisons, casts.

Every backward formula uses only operators and the `dual` helpers, so it runs on arrays (first
order) and on Tensors (under `create_graph`). Gradients for inputs that were broadcast are
returned in the output's shape; the engine sums them back to each input's shape.
"""
import math

import numpy as np

from .. import dtypes
from .._broadcast import raise_if_unbroadcastable
from ..function import Op
from ..tensor import Tensor, _make
from ._util import as_tensor_operand, dual, promote, to_float


# ---------------------------------------------------------------------- binary arithmetic
class Add(Op):
    """z = a + b.   ga = g,  gb = g."""

    _scalar_operand = _float_constants_ok = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        return (g if na else None,
                g if nb else None)


class Sub(Op):
    """z = a - b.   ga = g,  gb = -g."""

    _scalar_operand = _float_constants_ok = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad
        return (g if na else None,
                -g if nb else None)


class Mul(Op):
    """z = a * b.   ga = g * b,  gb = g * a   (each saved only if the other needs it)."""

    _scalar_operand = _float_constants_ok = True

    @staticmethod
    def forward(ctx, a, b):
        na, nb = ctx.needs_input_grad
        ctx.save_for_backward(a if nb else None, b if na else None)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * b if na else None,
                g * a if nb else None)


class Div(Op):
    """z = a / b.   ga = g / b,  gb = -g * z / b."""

    _scalar_operand = _float_constants_ok = True

    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, g):
        b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g / b if na else None,
                -g * out / b if nb else None)


class Pow(Op):
    """z = a ** b.   ga = g * b * a ** (b - 1),  gb = g * z * log(a)  (0 where a == 0)."""

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, (int, float)):
                ga = g * b * a ** (b - 1) if b != 0 else g * 0.0
            else:  # 0 where b == 0 and a is 0 or nan (PyTorch's value; the formula gives nan)
                ad = a._data if isinstance(a, Tensor) else a
                bd = b._data if isinstance(b, Tensor) else b
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = _where((bd == 0) & ((ad == 0) | np.isnan(ad)), 0.0,
                                g * b * a ** (b - 1))
        if nb:
            if isinstance(a, (int, float)):
                gb = g * out * math.log(a) if a > 0 else g * 0.0
            else:
                # 0 where a == 0 and b >= 0 (PyTorch's mask: for b < 0, out * log(0) is inf)
                ad = a._data if isinstance(a, Tensor) else a
                bd = b._data if isinstance(b, Tensor) else b
                zero = (ad == 0) & (np.asarray(bd) >= 0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    gb = _where(zero, 0.0, g * out * _log(_where(zero, 1.0, a)))
        return ga, gb


class Maximum(Op):
    """z = max(a, b).   The gradient goes to the larger input; ties split it evenly."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_backward(ctx, g, a > b, a == b)


class Minimum(Op):
    """z = min(a, b).   The gradient goes to the smaller input; ties split it evenly."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_backward(ctx, g, a < b, a == b)


def _minmax_backward(ctx, g, wins, ties):
    na, nb = ctx.needs_input_grad
    # The masks carry no gradient, so the share is a constant array in g's dtype.
    wins = wins._data if isinstance(wins, Tensor) else wins
    ties = ties._data if isinstance(ties, Tensor) else ties
    share = np.where(ties, 0.5, wins).astype(g.dtype)
    ga = g * share if na else None
    gb = g * (1.0 - share) if nb else None
    return ga, gb


class Where(Op):
    """z = cond ? a : b.   ga = g where cond,  gb = g where not cond."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        _, na, nb = ctx.needs_input_grad
        return (None,
                _where(ctx.cond, g, 0.0) if na else None,
                _where(ctx.cond, 0.0, g) if nb else None)


# ---------------------------------------------------------------------- unary math
class Neg(Op):
    """z = -x.   gx = -g."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Abs(Op):
    """z = |x|.   gx = g * sign(x)  (0 at x == 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _sign(x)


class Exp(Op):
    """z = exp(x).   gx = g * z."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out


class Log(Op):
    """z = log(x).   gx = g / x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / x


class Log1p(Op):
    """z = log(1 + x).   gx = g / (1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / (x + 1.0)


class Expm1(Op):
    """z = exp(x) - 1.   gx = g * (z + 1)."""

    @staticmethod
    def forward(ctx, x):
        out = np.expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * (out + 1.0)


class Sqrt(Op):
    """z = sqrt(x).   gx = g / (2 z)."""

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g / (out * 2.0)


class Rsqrt(Op):
    """z = 1 / sqrt(x).   gx = -g * z**3 / 2."""

    @staticmethod
    def forward(ctx, x):
        out = 1.0 / np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out * out * out * -0.5


class Sin(Op):
    """z = sin(x).   gx = g * cos(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _cos(x)


class Cos(Op):
    """z = cos(x).   gx = -g * sin(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -g * _sin(x)


class Tan(Op):
    """z = tan(x).   gx = g * (1 + z**2)."""

    @staticmethod
    def forward(ctx, x):
        out = np.tan(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * (out * out + 1.0)


class Tanh(Op):
    """z = tanh(x).   gx = g * (1 - z**2)."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * (1.0 - out * out)


class Sigmoid(Op):
    """z = 1 / (1 + exp(-x)).   gx = g * z * (1 - z).

    NOTE: computed as exp(-|x|) based halves so large |x| never overflows.
    """

    @staticmethod
    def forward(ctx, x):
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0, e).astype(x.dtype, copy=False) / (1.0 + e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * out * (1.0 - out)


class Relu(Op):
    """z = max(x, 0).   gx = g where z > 0, else 0."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g * (out > 0)


class Erf(Op):
    """z = erf(x).   gx = g * 2 / sqrt(pi) * exp(-x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf_array(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _exp(-(x * x)) * (2.0 / math.sqrt(math.pi))


class Clone(Op):
    """z = copy of x.   gx = g."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class Cast(Op):
    """z = x.astype(dtype).   gx = g.astype(x.dtype)  (nothing flows back to integer inputs)."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.in_dtype.kind != "f":
            return None, None
        return _astype(g, ctx.in_dtype), None


# ---------------------------------------------------------------------- dual helpers
def _erf_array(x):
    return _vector_erf(x).astype(x.dtype, copy=False)


try:  # NOTE: SciPy's erf is vectorised C; without SciPy, math.erf runs once per element.
    from scipy.special import erf as _vector_erf
except ImportError:
    _vector_erf = np.vectorize(math.erf, otypes=[np.float64])

_exp = dual(lambda t: exp(t), np.exp)
_log = dual(lambda t: log(t), np.log)
_sin = dual(lambda t: sin(t), np.sin)
_cos = dual(lambda t: cos(t), np.cos)
_sign = dual(lambda t: sign(t), np.sign)
_astype = dual(lambda t, dt: cast(t, dt), lambda a, dt: a.astype(dt))


def _where(cond, a, b):
    """np.where for formulas: a Tensor in any argument makes the result a recorded Tensor."""
    if isinstance(cond, Tensor):
        cond = cond._data
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return where(cond, a, b)
    out = np.where(cond, a, b)
    ref = a if isinstance(a, np.ndarray) and a.dtype.kind == "f" else b
    if isinstance(ref, np.ndarray) and ref.dtype.kind == "f" and out.dtype != ref.dtype:
        out = out.astype(ref.dtype)
    return out


# ---------------------------------------------------------------------- public functions
def add(input, other, *, alpha=1):
    """input + alpha * other, broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    return Add.apply(a, b)


def sub(input, other, *, alpha=1):
    """input - alpha * other, broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = promote(input, other)
    return Sub.apply(a, b)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input (subtraction with the operands swapped), broadcasting."""
    return sub(other, input, alpha=alpha)


def mul(input, other):
    """input * other, broadcasting."""
    a, b = promote(input, other)
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None):
    """input / other (true division; integers give the default float dtype)."""
    a, b = promote(input, other)
    if rounding_mode is not None:
        return _rounded_div(a, b, rounding_mode)
    a, b = _floatify(a), _floatify(b)
    return Div.apply(a, b)


divide = true_divide = div


def _floatify(x):
    if isinstance(x, Tensor):
        return to_float(x) if x._data.dtype.kind != "f" else x
    return float(x) if isinstance(x, int) else x


def _rounded_div(a, b, mode):
    ad = a._data if isinstance(a, Tensor) else a
    bd = b._data if isinstance(b, Tensor) else b
    if mode == "floor":
        return _make(np.asarray(np.floor_divide(ad, bd)), None)
    if mode == "trunc":
        q = np.trunc(np.true_divide(ad, bd))
        return _make(np.asarray(q.astype(np.result_type(ad, bd), copy=False)), None)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                     f"{mode!r}")


def floor_divide(input, other):
    a, b = promote(input, other)
    return _rounded_div(a, b, "floor")


class Remainder(Op):
    """z = a - b * floor(a / b) (the sign of b).   ga = g,  gb = -g * floor(a / b).
    (`Fmod` is the same with trunc for floor.)"""

    _rest = staticmethod(np.mod)

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return ctx._rest(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g if na else None), (-g * ctx._quotient(a / b) if nb else None)


class Fmod(Remainder):
    """z = a - b * trunc(a / b) (the sign of a).   ga = g,  gb = -g * trunc(a / b)."""

    _rest = staticmethod(np.fmod)


# (the quotients' step functions are defined further down; the lambdas look them up at call)
Remainder._quotient = staticmethod(dual(lambda t: floor(t), np.floor))
Fmod._quotient = staticmethod(dual(lambda t: trunc(t), np.trunc))


def remainder(input, other):
    """Python's modulus, elementwise with broadcasting (the result has the sign of `other`)."""
    a, b = promote(input, other)
    if (a._data if isinstance(a, Tensor) else np.asarray(a)).dtype.kind != "f":
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        return _make(np.asarray(np.mod(ad, bd)), None)
    return Remainder.apply(a, b)


def pow(input, exponent):
    """input ** exponent, broadcasting; either may be a number."""
    a, b = promote(input, exponent)
    if isinstance(a, Tensor) and a._data.dtype.kind != "f" and isinstance(b, Tensor) \
            and b._data.dtype.kind == "i":
        return _make(np.power(a._data, b._data), None)
    return Pow.apply(a, b)


def maximum(input, other):
    a, b = promote(input, other)
    return Maximum.apply(a, b)


def minimum(input, other):
    a, b = promote(input, other)
    return Minimum.apply(a, b)


def where(condition, input, other):
    """Pick `input` where `condition` holds, else `other` (all broadcast together)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    a, b = promote(input, other)
    return Where.apply(cond, a, b)


def lerp(input, end, weight):
    """input + weight * (end - input), composed from primitives."""
    return add(input, mul(weight, sub(end, input)))


def neg(input):
    return Neg.apply(input)


negative = neg


def _unary(op):
    def fn(input):
        return op.apply(to_float(input))
    fn.__name__ = op.__name__.lower()
    fn.__doc__ = op.__doc__
    return fn


exp = _unary(Exp)
log = _unary(Log)
log1p = _unary(Log1p)
expm1 = _unary(Expm1)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
erf = _unary(Erf)


def abs(input):
    return Abs.apply(input)


absolute = abs


def relu(input):
    return Relu.apply(input)


def square(input):
    return mul(input, input)


def reciprocal(input):
    return div(1.0, input)


def log2(input):
    return div(log(input), math.log(2.0))


def log10(input):
    return div(log(input), math.log(10.0))


def exp2(input):
    return pow(2.0, to_float(input))


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; either bound may be None, a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("clamp(): at least one of 'min' or 'max' must not be None")
    x = input
    lo = as_tensor_operand(min) if min is not None else None
    hi = as_tensor_operand(max) if max is not None else None
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        if lo is not None:
            x = maximum(x, lo)
        if hi is not None:
            x = minimum(x, hi)
        return x
    if x._data.dtype.kind != "f" and (isinstance(lo, float) or isinstance(hi, float)):
        x = to_float(x)
    return ClampScalar.apply(x, lo, hi)


clip = clamp


class ClampScalar(Op):
    """z = min(max(x, lo), hi) with number bounds.   gx = g where lo <= x <= hi."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        lo, hi = ctx.bounds
        if lo is None:
            inside = x <= hi
        elif hi is None:
            inside = x >= lo
        else:
            inside = (x >= lo) * (x <= hi)
        return g * inside, None, None


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def clone(input, *, memory_format=None):
    """A copy of `input` that stays on the graph (gradients flow through unchanged)."""
    return Clone.apply(input)


def cast(input, dtype):
    """`input` converted to `dtype`; a float-to-float cast is differentiable."""
    dtype = dtypes.as_dtype(dtype)
    if input._data.dtype == dtype:
        return input
    return Cast.apply(input, dtype)


# ---------------------------------------------------------------------- no gradient
def _no_grad_unary(np_fn, name, keep_dtype=True):
    def fn(input):
        data = input._data if isinstance(input, Tensor) else np.asarray(input)
        out = np.asarray(np_fn(data))
        return _make(out, None)
    fn.__name__ = name
    fn.__doc__ = f"{name}(input): elementwise, carries no gradient."
    return fn


# ---------------------------------------------------------------------- step functions
class Step(Op):
    """z = f(x) for a piecewise-constant f (floor, ceil, trunc, round, sign).   gx = 0: the
    derivative almost everywhere, and PyTorch's (so such outputs stay on the graph)."""

    @staticmethod
    def forward(ctx, x, fn):
        return fn(x)

    @staticmethod
    def backward(ctx, g):
        return _zeros_of(g), None


_zeros_of = dual(lambda t: t.new_zeros(tuple(t.shape)), np.zeros_like)


def _step(np_fn, name):
    def fn(input):
        x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
        if x._data.dtype.kind != "f":  # integers and bools: already whole, no gradient
            return _make(np.asarray(np_fn(x._data)), None)
        return Step.apply(x, np_fn)
    fn.__name__ = name
    fn.__doc__ = f"{name}(input): elementwise; its gradient is 0, as PyTorch's."
    return fn


def _sign_array(a):
    # NOTE: PyTorch's sign (and sgn) of nan is 0, where NumPy's is nan.
    if a.dtype.kind == "f":
        return np.where(np.isnan(a), 0, np.sign(a)).astype(a.dtype, copy=False)
    return np.sign(a)


sign = _step(_sign_array, "sign")
floor = _step(np.floor, "floor")
ceil = _step(np.ceil, "ceil")
trunc = _step(np.trunc, "trunc")


def frac(input):
    """input - trunc(input) (gradient 1, as PyTorch's)."""
    return sub(input, trunc(input))


isnan = _no_grad_unary(np.isnan, "isnan")
isinf = _no_grad_unary(np.isinf, "isinf")
isfinite = _no_grad_unary(np.isfinite, "isfinite")
logical_not = _no_grad_unary(np.logical_not, "logical_not")
signbit = _no_grad_unary(np.signbit, "signbit")


def round(input, decimals=0):
    """Round half to even (to `decimals` places); its gradient is 0, as PyTorch's."""
    if decimals == 0:
        return _step(np.round, "round")(input)
    return _step(lambda a: np.round(a, decimals), "round")(input)


def _comparison(np_fn, name):
    def fn(input, other):
        a = input._data if isinstance(input, Tensor) else input
        b = as_tensor_operand(other)
        b = b._data if isinstance(b, Tensor) else b
        try:
            return _make(np.asarray(np_fn(a, b)), None)
        except ValueError as err:
            raise_if_unbroadcastable(err, (a, b))
            raise
    fn.__name__ = name
    fn.__doc__ = f"{name}(input, other): elementwise comparison, a bool tensor without gradient."
    return fn


eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
lt = less = _comparison(np.less, "lt")
le = less_equal = _comparison(np.less_equal, "le")
gt = greater = _comparison(np.greater, "gt")
ge = greater_equal = _comparison(np.greater_equal, "ge")
logical_and = _comparison(np.logical_and, "logical_and")
logical_or = _comparison(np.logical_or, "logical_or")
logical_xor = _comparison(np.logical_xor, "logical_xor")
bitwise_and = _comparison(np.bitwise_and, "bitwise_and")
bitwise_or = _comparison(np.bitwise_or, "bitwise_or")
bitwise_xor = _comparison(np.bitwise_xor, "bitwise_xor")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _make(np.asarray(np.isclose(input._data, as_tensor_operand(other)._data, rtol, atol,
                                       equal_nan)), None)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, as_tensor_operand(other)._data, rtol, atol, equal_nan))


def equal(input, other):
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))
