"""PyTorch's legacy tensor types and `Variable`, still common in older scripts.

`FloatTensor([1, 2])` makes a float32 tensor, `FloatTensor(2, 3)` a 2x3 one (zeros here, where
PyTorch leaves the memory uninitialised), `isinstance(t, LongTensor)` checks the dtype, and
`t.type(DoubleTensor)` or `t.type('torch.DoubleTensor')` casts. `Variable(t, requires_grad=True)`
is a leaf sharing `t`'s data, as Variables and Tensors merged long ago.
"""
from . import dtypes
from .tensor import Tensor

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "Variable", "dtype_of"]

NAMES = {"FloatTensor": dtypes.float32, "DoubleTensor": dtypes.float64,
         "HalfTensor": dtypes.float16, "LongTensor": dtypes.int64, "IntTensor": dtypes.int32,
         "ShortTensor": dtypes.int16, "CharTensor": dtypes.int8, "ByteTensor": dtypes.uint8,
         "BoolTensor": dtypes.bool}


class _LegacyType(type):
    """A legacy type: calling it builds a Tensor of its dtype; instances are Tensors of it."""

    def __call__(cls, *args, **kwargs):
        if "dtype" in kwargs:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument 'dtype'")
        return Tensor(*args, dtype=cls.dtype, **kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'autograd.{cls.__name__}'>"


def _legacy(name):
    return _LegacyType(name, (), {"dtype": NAMES[name], "__doc__": f"Tensors of {NAMES[name]}"})


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, \
    ByteTensor, BoolTensor = (_legacy(n) for n in NAMES)


def dtype_of(kind):
    """The dtype a legacy type or its name ('torch.FloatTensor', 'FloatTensor') stands for,
    else None."""
    if isinstance(kind, _LegacyType):
        return kind.dtype
    if isinstance(kind, str):
        return NAMES.get(kind.rsplit(".", 1)[-1] if kind.startswith(("torch.", "autograd."))
                         else kind)
    return None


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 (PyTorch's name)
    """A leaf Tensor sharing `data`'s values (`volatile` is accepted and ignored, as in
    PyTorch since 0.4)."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    return data.detach().requires_grad_(requires_grad)
