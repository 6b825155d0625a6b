"""Helpers shared by the op families: unbroadcasting, argument checks, dual-mode functions.

Backward formulas run on NumPy arrays on the first-order path and on Tensors under
`create_graph=True`. `dual(tensor_fn, array_fn)` makes one function that picks the right
implementation, so every formula is written once.
"""
import numpy as np

from .. import dtypes
from .._broadcast import unbroadcast
from ..tensor import Tensor, _make

__all__ = ["unbroadcast", "dual", "normalize_dim", "normalize_dims", "as_tensor_operand",
           "promote", "to_float", "is_tensor",
           "float_operands"]


def is_tensor(x):
    return isinstance(x, Tensor)


def dual(tensor_fn, array_fn):
    """One function for backward formulas: `tensor_fn` on Tensors, `array_fn` on arrays."""
    def fn(x, *args, **kwargs):
        if isinstance(x, Tensor):
            return tensor_fn(x, *args, **kwargs)
        return array_fn(x, *args, **kwargs)
    fn.__name__ = getattr(array_fn, "__name__", "dual")
    return fn


def normalize_dim(dim, ndim, op="op"):
    """A possibly negative `dim` as an index into `ndim` axes; IndexError when out of range."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= dim <= hi:
        raise IndexError(f"{op}(): Dimension out of range (expected to be in range of "
                         f"[{lo}, {hi}], but got {dim})")
    return int(dim) % max(ndim, 1)


def normalize_dims(dim, ndim, op="op"):
    """`dim` (None, int or sequence) as a sorted tuple of axes; None and () mean every axis
    (as PyTorch's reductions read an empty dim list)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        d = normalize_dim(dim, ndim, op)
        return (d,) if ndim else ()  # a 0-d tensor accepts dim 0/-1 and has no axis to reduce
    dims = tuple(normalize_dim(d, ndim, op) for d in dim)
    if not ndim:
        return ()
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}(): dim {tuple(dim)} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def as_tensor_operand(x):
    """Python scalars pass through (they stay weakly typed); NumPy scalars become Python ones;
    arrays and lists become Tensors."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.generic):  # before float: np.float64 is a subclass of float
        return x.item()
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, (np.ndarray, list, tuple)):
        from ..creation import tensor
        return tensor(x)
    raise TypeError(f"unsupported operand type {type(x).__name__}; expected a Tensor or a number")


def promote(a, b):
    """Cast two operands to PyTorch's common dtype (recorded casts, so gradients flow back)."""
    if a.__class__ is Tensor:  # fast exits for the common cases
        kind = a._data.dtype.kind
        bc = b.__class__
        if bc is Tensor:
            if a._data.dtype is b._data.dtype:
                return a, b
        elif bc is float:
            if kind == "f":
                return a, b
        elif bc is int and kind in "fiu":
            return a, b
    a = as_tensor_operand(a)
    b = as_tensor_operand(b)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da == db:
            return a, b
        dt = dtypes.result_type(a._data, b._data)
    else:
        t, s = (a, b) if ta else (b, a)
        kind = t._data.dtype.kind
        if kind == "f" or (kind != "b" and not isinstance(s, float)) or \
                (kind == "b" and isinstance(s, bool)):
            return a, b
        dt = dtypes.result_type(t._data, s)
    if ta and a._data.dtype != dt:
        a = a.to(dt)
    if tb and b._data.dtype != dt:
        b = b.to(dt)
    return a, b


def to_float(x):
    """Integer and bool tensors become the default float dtype (what exp, sqrt, ... return)."""
    if x._data.dtype.kind == "f":
        return x
    return _make(x._data.astype(dtypes.get_default_dtype()), None)


def float_operands(input, other, op):
    """`input` and `other` as two float Tensors for a binary op: promoted to their common dtype,
    integer and bool operands made float, and a Python number turned into a 0-d tensor of the
    other operand's dtype (a weak scalar: float32 stays float32). Shapes must broadcast
    (RuntimeError naming both otherwise)."""
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        raise TypeError(f"{op}(): expected at least one Tensor argument, got "
                        f"{type(input).__name__} and {type(other).__name__}")
    a, b = promote(input, other)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta:
        a = to_float(a)
    if tb:
        b = to_float(b)
    if not ta:
        a = _make(np.asarray(float(a), b._data.dtype), None)
    elif not tb:
        b = _make(np.asarray(float(b), a._data.dtype), None)
    elif a._data.dtype != b._data.dtype:  # an int tensor with a float one of another width
        a, b = promote(a, b)
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise RuntimeError(f"{op}(): the shapes {tuple(a._data.shape)} and "
                           f"{tuple(b._data.shape)} cannot be broadcast together") from None
    return a, b
