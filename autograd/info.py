"""Small queries PyTorch scripts make about tensors and dtypes: `numel`, `is_tensor`,
`is_floating_point`, `finfo`, `iinfo`, `broadcast_shapes`, `Size`."""
import numpy as np

from . import dtypes
from ._broadcast import mismatch_error
from .tensor import Tensor

__all__ = ["numel", "is_tensor", "is_floating_point", "finfo", "iinfo", "broadcast_shapes",
           "Size"]

Size = tuple  # shapes are plain tuples here; `Size([2, 3])` builds one


def numel(input):
    """The number of elements of a Tensor."""
    return input.numel()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.dtype.kind == "f"


def finfo(type=None):
    """Limits of a float dtype (`eps`, `max`, `min`, `tiny`, `resolution`, `bits`); the default
    dtype when none is given."""
    dt = dtypes.get_default_dtype() if type is None else dtypes.as_dtype(type)
    if dt.kind != "f":
        raise TypeError(f"finfo(): expected a floating point dtype, got {dt}")
    return np.finfo(dt)


def iinfo(type):
    """Limits of an integer dtype (`max`, `min`, `bits`)."""
    dt = dtypes.as_dtype(type)
    if dt.kind not in "iu":
        raise TypeError(f"iinfo(): expected an integer dtype, got {dt}")
    return np.iinfo(dt)


def broadcast_shapes(*shapes):
    """The shape the given shapes broadcast to (RuntimeError naming them when they do not)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    mismatch = mismatch_error(shapes)
    if mismatch is not None:
        raise mismatch
    return np.broadcast_shapes(*shapes)
