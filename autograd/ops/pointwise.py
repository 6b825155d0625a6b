"""More pointwise arithmetic: fmax, fmin (nan-ignoring), copysign, float_power, heaviside, sgn,
addcmul, addcdiv.

fmax/fmin/copysign are ops with their own backward; float_power, addcmul and addcdiv are
composed from existing differentiable ops and need none.
"""
import numpy as np

from .. import dtypes
from ..function import Op
from ..tensor import Tensor, _make
from ._util import float_operands, promote
from .elementwise import _where, add, div, mul, pow, sign

__all__ = ["fmax", "fmin", "copysign", "float_power", "heaviside", "sgn", "addcmul", "addcdiv"]


class Fmax(Op):
    """z = max(a, b), ignoring nan (nan only where both are nan).

    The gradient goes to a where a >= b or b is nan (ties go to a, as PyTorch), else to b.
    Shapes: a, b broadcast  ->  broadcast(a, b).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.takes_a = takes_a = (a >= b) | np.isnan(b)
        return np.where(takes_a, a, b)  # np.fmax would pick b on a tie of 0.0 and -0.0

    @staticmethod
    def backward(ctx, g):
        return _route(ctx, g)


class Fmin(Op):
    """z = min(a, b), ignoring nan (nan only where both are nan).

    The gradient goes to a where a <= b or b is nan (ties go to a, as PyTorch), else to b.
    Shapes: a, b broadcast  ->  broadcast(a, b).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.takes_a = takes_a = (a <= b) | np.isnan(b)
        return np.where(takes_a, a, b)

    @staticmethod
    def backward(ctx, g):
        return _route(ctx, g)


def _route(ctx, g):
    na, nb = ctx.needs_input_grad
    return (_where(ctx.takes_a, g, 0.0) if na else None,
            _where(ctx.takes_a, 0.0, g) if nb else None)


class Copysign(Op):
    """z = |a| with the sign of b (signed zeros count).

    ga = g * z / a (that is, +-g; 0 where a == 0, as PyTorch),  gb = 0.
    Shapes: a, b broadcast  ->  broadcast(a, b).
    """

    @staticmethod
    def forward(ctx, a, b):
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = None
        if na:
            zero = (a._data if isinstance(a, Tensor) else a) == 0
            ga = _where(zero, 0.0, g * out / _where(zero, 1.0, a))
        return ga, (g * 0.0 if nb else None)


def _same_kind_operands(input, other, op):
    a, b = promote(input, other)
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
        return float_operands(a, b, op)
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise RuntimeError(f"{op}(): the shapes {tuple(a._data.shape)} and "
                           f"{tuple(b._data.shape)} cannot be broadcast together") from None
    return a, b


def fmax(input, other):
    """Elementwise maximum that ignores nan (nan only where both are nan); broadcasting.
    Integer tensors stay integer."""
    a, b = _same_kind_operands(input, other, "fmax")
    return Fmax.apply(a, b)


def fmin(input, other):
    """Elementwise minimum that ignores nan (nan only where both are nan); broadcasting.
    Integer tensors stay integer."""
    a, b = _same_kind_operands(input, other, "fmin")
    return Fmin.apply(a, b)


def copysign(input, other):
    """|input| with the sign of `other` (signed zeros count); broadcasting."""
    a, b = float_operands(input, other, "copysign")
    return Copysign.apply(a, b)


def float_power(input, exponent):
    """input ** exponent computed in float64 (the result is float64 whatever the inputs;
    gradients flow back in each input's own dtype)."""
    for name, v in (("input", input), ("exponent", exponent)):
        if not isinstance(v, (Tensor, int, float, np.number)) or isinstance(v, np.bool_):
            raise TypeError(f"float_power(): argument '{name}' must be Tensor or Number, not "
                            f"{type(v).__name__}")
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected at least one Tensor argument")
    a = input.to(dtypes.float64) if isinstance(input, Tensor) else float(input)
    b = exponent.to(dtypes.float64) if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, b)


def heaviside(input, values):
    """The step function: 0 where input < 0, `values` where input == 0, 1 where input > 0
    (nan counts as < 0, as PyTorch). Both must be tensors of one dtype; carries no gradient."""
    for name, v in (("input", input), ("values", values)):
        if not isinstance(v, Tensor):
            raise TypeError(f"heaviside(): argument '{name}' must be Tensor, not "
                            f"{type(v).__name__}")
    x, v = input._data, values._data
    if x.dtype != v.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes "
                           f"(input {x.dtype}, values {v.dtype})")
    try:
        np.broadcast_shapes(x.shape, v.shape)
    except ValueError:
        raise RuntimeError(f"heaviside(): the shapes {tuple(x.shape)} and {tuple(v.shape)} "
                           f"cannot be broadcast together") from None
    return _make(np.asarray(np.where(x == 0, v, x > 0).astype(x.dtype, copy=False)), None)


sgn = sign


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2, broadcasting all three."""
    prod = mul(tensor1, tensor2)
    return add(input, prod if value == 1 else mul(prod, value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2, broadcasting all three (true division)."""
    if _is_integral(tensor1) and _is_integral(tensor2):
        raise RuntimeError("Integer division with addcdiv is no longer supported; use "
                           "input + value * tensor1 / tensor2 for true division, or "
                           "(input + value * trunc(tensor1 / tensor2)).to(input.dtype) for the "
                           "historic integer behaviour")
    quot = div(tensor1, tensor2)
    return add(input, quot if value == 1 else mul(quot, value))


def _is_integral(x):
    if isinstance(x, Tensor):
        return x._data.dtype.kind in "iub"
    return isinstance(x, (int, np.integer))
