"""`Parameter`: a Tensor that a `Module` registers as one of its learnable weights.

A Parameter is an ordinary leaf Tensor (every op accepts it, results are plain Tensors) whose
only differences are that it requires grad by default and that assigning it to a Module
attribute registers it. It shares the array (and so the version counter) of the data it wraps.
"""
import copy

import numpy as np

from autograd import dtypes
from autograd.printing import format_tensor
from autograd.tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


class Parameter(Tensor):
    """A Tensor that is a module's parameter.

    Args:
        data: a Tensor or array-like; the array is shared, not copied. None gives an empty
            float tensor.
        requires_grad: whether the parameter is trained (default True).

    Example:
        >>> w = Parameter(autograd.randn(3, 4))
        >>> w.requires_grad, w.is_leaf
        (True, True)
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), dtypes.get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = np.asarray(data)
            if arr.dtype.kind != "f" and requires_grad:
                arr = arr.astype(dtypes.get_default_dtype())
        self._data = arr
        self._grad = None
        self.grad_fn = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + format_tensor(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            result._grad = copy.deepcopy(self._grad, memo)
        memo[id(self)] = result
        return result


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute (as `torch.nn.Buffer`).

    The module stores the wrapped data as a plain Tensor; `persistent=False` keeps it out of the
    state dict.
    """

    def __init__(self, data, *, persistent=True):
        src = data if isinstance(data, Tensor) else Tensor(np.asarray(data))
        self._data = src._data
        self._grad = None
        self.grad_fn = None
        self._requires_grad = False
        self.persistent = persistent


class _Uninitialized:
    """Shared by the placeholders lazy modules hold until their first forward: no shape yet,
    `materialize(shape)` allocates the array and turns the object into its final class in place
    (so optimizers and references made before the first forward see the real tensor)."""

    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        dtype = dtypes.as_dtype(dtype) or self._data.dtype
        self._data = np.empty(tuple(int(n) for n in shape), dtype)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    __str__ = __repr__


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter whose shape a lazy module learns from its first input."""

    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(np.empty((0,), dtypes.as_dtype(dtype) or dtypes.get_default_dtype()),
                         requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape a lazy module learns from its first input."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None):
        self._data = np.empty((0,), dtypes.as_dtype(dtype) or dtypes.get_default_dtype())
        self._grad = None
        self.grad_fn = None
        self._requires_grad = False
