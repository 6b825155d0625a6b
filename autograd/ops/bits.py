"""Integer and floating-point representation ops: bitwise and shift ops, gcd, lcm, nextafter,
frexp, ldexp, and the small predicates isposinf, isneginf, isreal, plus positive and fix.

The integer ops carry no gradient (PyTorch does not differentiate them either); frexp's
mantissa and ldexp are composed from `mul`, so they need no backward of their own.
"""
import collections

import numpy as np

from .. import dtypes
from .._broadcast import raise_if_unbroadcastable
from ..tensor import Tensor, _make
from ._util import as_tensor_operand, float_operands, promote, to_float
from .elementwise import Fmod, exp2, mul, trunc

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift", "gcd", "lcm", "fmod", "nextafter", "frexp", "ldexp", "isposinf",
           "isneginf", "isreal", "positive", "fix"]

_TYPE_NAMES = {"f": "Float", "d": "Double", "e": "Half"}


def _operands(input, other, op, kinds):
    """Both operands as arrays of PyTorch's common dtype; NotImplementedError (PyTorch's type)
    when that dtype's kind is not in `kinds`."""
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        raise TypeError(f"{op}(): expected at least one Tensor argument, got "
                        f"{type(input).__name__} and {type(other).__name__}")
    a, b = as_tensor_operand(input), as_tensor_operand(other)
    a = a._data if isinstance(a, Tensor) else a
    b = b._data if isinstance(b, Tensor) else b
    dt = dtypes.result_type(a, b)
    if dt.kind not in kinds:
        raise NotImplementedError(f'"{op}_cpu" not implemented for '
                                  f"'{_TYPE_NAMES.get(dt.char, str(dt))}' (operands of dtype "
                                  f"{np.asarray(a).dtype} and {np.asarray(b).dtype})")
    return np.asarray(a).astype(dt, copy=False), np.asarray(b).astype(dt, copy=False)


def _binary(np_fn, name, kinds="biu"):
    def fn(input, other):
        a, b = _operands(input, other, name, kinds)
        try:
            return _make(np.asarray(np_fn(a, b)), None)
        except ValueError as err:
            raise_if_unbroadcastable(err, (a, b))
            raise
    fn.__name__ = name
    fn.__doc__ = f"{name}(input, other): elementwise on integer or bool tensors (no gradient)."
    return fn


bitwise_and = _binary(np.bitwise_and, "bitwise_and")
bitwise_or = _binary(np.bitwise_or, "bitwise_or")
bitwise_xor = _binary(np.bitwise_xor, "bitwise_xor")
gcd = _binary(np.gcd, "gcd", "iu")
lcm = _binary(np.lcm, "lcm", "iu")


def _left_shift(a, b):
    bits = a.dtype.itemsize * 8
    # NOTE: C leaves shifts by >= the width (or negative) undefined; PyTorch gives 0.
    out = np.left_shift(a, np.clip(b, 0, bits - 1).astype(a.dtype))
    return np.where((b < 0) | (b >= bits), np.zeros((), a.dtype), out)


def _right_shift(a, b):
    bits = a.dtype.itemsize * 8
    # NOTE: shifts past the width saturate: -1 for negatives, 0 otherwise (as PyTorch).
    return np.right_shift(a, np.clip(b, 0, bits - 1).astype(a.dtype))


bitwise_left_shift = _binary(_left_shift, "bitwise_left_shift", "iu")
bitwise_right_shift = _binary(_right_shift, "bitwise_right_shift", "iu")


def bitwise_not(input):
    """~input for integer tensors, logical not for bool ones (no gradient)."""
    d = input._data
    if d.dtype.kind not in "biu":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{_TYPE_NAMES.get(d.dtype.char, str(d.dtype))}'")
    return _make(np.asarray(np.invert(d)), None)


def fmod(input, other):
    """The C-style remainder input - trunc(input / other) * other: it has the sign of `input`
    (remainder's has the sign of `other`)."""
    a, b = _operands(input, other, "fmod", "iuf")
    if a.dtype.kind in "iu":
        if np.any(b == 0):
            raise RuntimeError("ZeroDivisionError")
        return _make(np.asarray(np.fmod(a, b)), None)
    x, y = promote(input, other)
    return Fmod.apply(x, y)


def nextafter(input, other):
    """The next floating-point value after `input` towards `other` (float tensors, no
    gradient)."""
    a, b = _operands(input, other, "nextafter", "f")
    return _make(np.asarray(np.nextafter(a, b)), None)


# ---------------------------------------------------------------------- mantissa and exponent
frexp_result = collections.namedtuple("frexp", ["mantissa", "exponent"])


def frexp(input):
    """`(mantissa, exponent)` with input = mantissa * 2**exponent, |mantissa| in [0.5, 1).

    The mantissa is `input * 2**-exponent` (differentiable: g * 2**-exponent); the exponent is
    an int32 tensor without gradient. inf and nan come back as themselves with exponent 0.
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"torch.frexp() only supports floating-point dtypes, got "
                           f"{input._data.dtype}")
    _, e = np.frexp(input._data)
    scale = np.ldexp(np.ones((), input._data.dtype), -e).astype(input._data.dtype, copy=False)
    return frexp_result(mul(input, _make(scale, None)), _make(e.astype(np.int32), None))


def ldexp(input, other):
    """input * 2**other. Integer inputs give the default float dtype; a float `other` is
    differentiated as well (d/d other = ln 2 * result)."""
    if isinstance(other, Tensor) and other._data.dtype.kind != "f":
        x = to_float(input) if isinstance(input, Tensor) else input
        dt = x._data.dtype if isinstance(x, Tensor) else dtypes.get_default_dtype()
        return mul(x, _make(np.ldexp(np.ones((), dt), other._data.astype(np.int32)), None))
    a, b = float_operands(input, other, "ldexp")
    return mul(a, exp2(b))


# ---------------------------------------------------------------------- predicates and aliases
def isposinf(input):
    """True where input is +inf (no gradient)."""
    return _make(np.asarray(np.isposinf(input._data)), None)


def isneginf(input):
    """True where input is -inf (no gradient)."""
    return _make(np.asarray(np.isneginf(input._data)), None)


def isreal(input):
    """True everywhere: tensors here are real (no gradient)."""
    return _make(np.ones(input._data.shape, bool), None)


def positive(input):
    """`input` itself (+x); refused on bool tensors, as in PyTorch."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


fix = trunc
