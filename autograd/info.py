"""Small queries PyTorch scripts make about tensors and dtypes: `numel`, `is_tensor`,
`is_floating_point`, `finfo`, `iinfo`, `broadcast_shapes`, `Size`, `result_type`,
`promote_types`, `can_cast`, `typename`."""
import numpy as np

from . import dtypes
from ._broadcast import mismatch_error
from .tensor import Tensor

__all__ = ["numel", "is_tensor", "is_floating_point", "finfo", "iinfo", "broadcast_shapes",
           "Size", "result_type", "promote_types", "can_cast", "typename"]

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


def result_type(tensor1, tensor2):
    """The dtype an arithmetic op on the two operands (Tensors or Python numbers) gives, by
    PyTorch's promotion rules (a number never upcasts a tensor of its own kind)."""
    operands = [t._data if isinstance(t, Tensor) else t for t in (tensor1, tensor2)]
    return dtypes.result_type(*operands)


def promote_types(type1, type2):
    """The dtype both convert to by PyTorch's rules: across kinds (bool < integer < float) the
    higher kind's dtype wins as it is (int32 with float32 is float32); within a kind, the
    wider."""
    a, b = dtypes.as_dtype(type1), dtypes.as_dtype(type2)
    rank = "biuf"
    ka, kb = rank.index(a.kind) if a.kind != "u" else 1, rank.index(b.kind) if b.kind != "u" \
        else 1
    if ka != kb:
        return a if ka > kb else b
    return np.promote_types(a, b)


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow `from_` -> `to` (no float -> int, no number ->
    bool)."""
    src, dst = dtypes.as_dtype(from_), dtypes.as_dtype(to)
    kind = {"b": 0, "u": 1, "i": 1, "f": 2}  # (signed and unsigned integers cast freely)
    return kind[src.kind] <= kind[dst.kind]


def typename(obj):
    """'autograd.FloatTensor' style names for Tensors, else the object's qualified type."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"
