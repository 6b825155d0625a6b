"""Dtypes, the default float dtype, and PyTorch's type-promotion rules.

Dtypes are NumPy dtypes. Promotion follows PyTorch rather than NumPy: a Python scalar never
upcasts a tensor of its own category (float32 * 2.5 stays float32), an integer tensor meets a
Python float in the default float dtype, an integer tensor meets a float tensor in the float
tensor's dtype, and a dimensioned tensor outranks a 0-dim one of the same category.
"""
import builtins

import numpy as np

__all__ = ["float16", "half", "float32", "float", "float64", "double", "int8", "int16", "short",
           "int32", "int", "int64", "long", "uint8", "bool", "bfloat16", "complex64",
           "complex128", "cfloat", "cdouble",
           "get_default_dtype", "set_default_dtype", "result_type", "as_dtype", "is_floating"]

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)


class _Unavailable:
    """A dtype PyTorch has and NumPy lacks: it can be named (`autocast(dtype=bfloat16)`) but
    making a tensor of it raises TypeError."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"autograd.{self.name}"


bfloat16 = _Unavailable("bfloat16")
complex64, complex128 = cfloat, cdouble = _Unavailable("complex64"), _Unavailable("complex128")

_default = [float32]
_FLOAT_DTYPES = (float16, float32, float64)
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def get_default_dtype():
    """The dtype that Python floats and float lists become (float32 unless changed)."""
    return _default[0]


def set_default_dtype(dtype):
    """Sets the dtype of new float tensors made from Python data; float16/32/64 only."""
    dtype = as_dtype(dtype)
    if dtype not in _FLOAT_DTYPES:
        raise TypeError(f"set_default_dtype only supports floating point dtypes, got {dtype}")
    _default[0] = dtype


def as_dtype(dtype):
    """Normalise anything NumPy understands (`'float32'`, `np.float32`, a dtype) to a dtype.

    The Python type `float` means the default float dtype, as in PyTorch.
    """
    if dtype is None or isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, _Unavailable):
        raise TypeError(f"dtype {dtype.name} is not supported: tensors hold NumPy's bool, "
                        f"integer, float16, float32 or float64 data")
    if dtype is builtins.float:
        return _default[0]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}; expected one of float16, float32, float64, "
                        "int8, int16, int32, int64, uint8, bool") from None
    if dt.kind not in _CATEGORY:
        raise TypeError(f"unsupported dtype {dt}; tensors hold bool, integer or float data")
    return dt


def is_floating(dtype):
    return dtype.kind == "f"


def _scalar_category(x):
    if isinstance(x, builtins.bool):
        return 0, bool
    if isinstance(x, builtins.int):
        return 1, int64
    return 2, _default[0]


def result_type(*operands):
    """The dtype PyTorch gives an op over `operands` (arrays or Python scalars).

    Priority: dimensioned arrays, then 0-dim arrays, then Python scalars; an operand of a lower
    priority only matters when it is of a higher category (bool < int < float).
    """
    best = -1
    groups = ([], [], [])  # Python scalars, 0-dim arrays, dimensioned arrays
    for x in operands:
        if isinstance(x, (np.ndarray, np.generic)):
            cat, dt = _CATEGORY[x.dtype.kind], x.dtype
            groups[2 if x.ndim else 1].append((cat, dt))
        else:
            cat, dt = _scalar_category(x)
            groups[0].append((cat, dt))
        best = max(best, cat)
    for group in reversed(groups):
        dts = [dt for cat, dt in group if cat == best]
        if dts:
            return np.result_type(*dts)
    raise ValueError("result_type needs at least one operand")
