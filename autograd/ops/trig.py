"""Inverse and hyperbolic trigonometry, atan2, hypot, and degree/radian conversion.

Backward formulas use only operators and `dual` helpers, so they run on arrays (first order)
and on Tensors (under `create_graph`). Integer inputs become the default float dtype; binary
ops broadcast, and take a Python number on either side (a weak scalar: float32 stays float32).
"""
import math

import numpy as np

from ..function import Op
from ._util import dual, float_operands, to_float
from .elementwise import _where, mul, sqrt

__all__ = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin",
           "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "atan2", "arctan2", "hypot",
           "deg2rad", "rad2deg"]


# ---------------------------------------------------------------------- inverse trigonometry
class Asin(Op):
    """z = asin(x), x in [-1, 1].   gx = g / sqrt(1 - x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / _sqrt(1.0 - x * x)


class Acos(Op):
    """z = acos(x), x in [-1, 1].   gx = -g / sqrt(1 - x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -g / _sqrt(1.0 - x * x)


class Atan(Op):
    """z = atan(x).   gx = g / (1 + x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / (x * x + 1.0)


# ---------------------------------------------------------------------- hyperbolic
class Sinh(Op):
    """z = sinh(x).   gx = g * cosh(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _cosh(x)


class Cosh(Op):
    """z = cosh(x).   gx = g * sinh(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _sinh(x)


class Asinh(Op):
    """z = asinh(x).   gx = g / sqrt(x**2 + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / _sqrt(x * x + 1.0)


class Acosh(Op):
    """z = acosh(x), x >= 1.   gx = g / sqrt((x - 1)(x + 1))  (inf at x == 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        # NOTE: (x - 1)(x + 1) rather than x**2 - 1 keeps the digits near x == 1.
        return g / _sqrt((x - 1.0) * (x + 1.0))


class Atanh(Op):
    """z = atanh(x), x in (-1, 1).   gx = g / (1 - x**2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g / ((1.0 - x) * (1.0 + x))


# ---------------------------------------------------------------------- binary
class Atan2(Op):
    """z = atan2(a, b), the angle of the point (b, a) in (-pi, pi].

    ga = g * b / (a**2 + b**2),  gb = -g * a / (a**2 + b**2);  both 0 at a == b == 0 (as
    PyTorch).   Shapes: a, b broadcast  ->  broadcast(a, b).
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        r2 = a * a + b * b
        origin = r2 == 0
        scale = g / _where(origin, 1.0, r2)
        return (_where(origin, 0.0, scale * b) if na else None,
                _where(origin, 0.0, -scale * a) if nb else None)


class Hypot(Op):
    """z = sqrt(a**2 + b**2) without overflow.   ga = g * a / z,  gb = g * b / z  (nan at
    a == b == 0, as PyTorch).   Shapes: a, b broadcast  ->  broadcast(a, b)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        na, nb = ctx.needs_input_grad
        ctx.save_for_backward(a if na else None, b if nb else None, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * a / out if na else None,
                g * b / out if nb else None)


# ---------------------------------------------------------------------- dual helpers
_sqrt = dual(lambda t: sqrt(t), np.sqrt)
_sinh = dual(lambda t: sinh(t), np.sinh)
_cosh = dual(lambda t: cosh(t), np.cosh)


# ---------------------------------------------------------------------- public functions
def _unary(op, name):
    def fn(input):
        return op.apply(to_float(input))
    fn.__name__ = name
    fn.__doc__ = op.__doc__
    return fn


asin = arcsin = _unary(Asin, "asin")
acos = arccos = _unary(Acos, "acos")
atan = arctan = _unary(Atan, "atan")
sinh = _unary(Sinh, "sinh")
cosh = _unary(Cosh, "cosh")
asinh = arcsinh = _unary(Asinh, "asinh")
acosh = arccosh = _unary(Acosh, "acosh")
atanh = arctanh = _unary(Atanh, "atanh")


def atan2(input, other):
    """The angle of (other, input), elementwise with broadcasting: atan(input / other) in the
    right quadrant."""
    a, b = float_operands(input, other, "atan2")
    return Atan2.apply(a, b)


arctan2 = atan2


def hypot(input, other):
    """sqrt(input**2 + other**2), elementwise with broadcasting, without overflow."""
    a, b = float_operands(input, other, "hypot")
    return Hypot.apply(a, b)


def deg2rad(input):
    """input * pi / 180 (integers become the default float dtype)."""
    return mul(to_float(input), math.pi / 180.0)


def rad2deg(input):
    """input * 180 / pi (integers become the default float dtype)."""
    return mul(to_float(input), 180.0 / math.pi)
