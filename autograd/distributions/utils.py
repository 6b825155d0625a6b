"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, lazy
properties, drawing from the global generator."""
import functools
import numbers

import numpy as np

from .. import dtypes, grad_mode
from ..creation import tensor
from ..ops.elementwise import clamp, log, log1p, sigmoid
from ..ops.diag import diagonal
from ..ops.nn import softmax
from ..ops.shape import broadcast_tensors
from ..random import _generator, _rng
from ..tensor import Tensor, _make

__all__ = ["broadcast_all", "probs_to_logits", "logits_to_probs", "clamp_probs", "lazy_property"]


def broadcast_all(*values):
    """Numbers and Tensors broadcast to one shape (differentiably). Numbers take the dtype of the
    first floating Tensor among `values`, else the default dtype."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number or Tensor.")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"),
                 dtypes.get_default_dtype())
    tensors = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    return broadcast_tensors(*tensors) if len(tensors) > 1 else tuple(tensors)


def as_float_tensor(value):
    """A parameter as a floating Tensor (numbers and integer Tensors in the default dtype)."""
    if isinstance(value, Tensor):
        if value.dtype.kind == "f":
            return value
        return value.to(dtypes.get_default_dtype())
    return tensor(value, dtype=dtypes.get_default_dtype())


def clamp_probs(probs):
    """probs clamped to [eps, 1 - eps] of their dtype (so logs stay finite)."""
    eps = float(np.finfo(probs.dtype).eps)
    return clamp(probs, min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """log(p) for categorical probs; log(p) - log(1 - p) for binary ones (p clamped first)."""
    p = clamp_probs(probs)
    if is_binary:
        return log(p) - log1p(-p)
    return log(p)


def logits_to_probs(logits, is_binary=False):
    """sigmoid(logits) for binary logits, softmax over the last dim otherwise."""
    if is_binary:
        return sigmoid(logits)
    return softmax(logits, -1)


class lazy_property:
    """A property computed on first access (with grad enabled) and then cached on the instance,
    as PyTorch's `lazy_property` (Categorical's probs/logits)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with grad_mode.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def sum_rightmost(value, dim):
    """Sum out the `dim` rightmost dims of `value`."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.ndim - dim]) + (-1,)).sum(-1)


def draw(fn, shape, dtype):
    """`fn(numpy_generator, shape)` from the global generator as a Tensor of `dtype` (no grad).
    Draws in float64 and casts, so float32 and float64 runs see the same stream."""
    arr = np.asarray(fn(_rng(), tuple(shape)), dtype=np.float64)
    return _make(arr.astype(dtype, copy=False), None)


def standard_normal(shape, dtype):
    """`empty(shape).normal_()` from the global generator, as PyTorch's samplers draw it."""
    return _make(_generator().normal(tuple(shape), 0.0, 1.0, dtype), None)


def uniform(shape, low, high, dtype):
    """`empty(shape).uniform_(low, high)` from the global generator."""
    return _make(_generator().uniform(tuple(shape), low, high, dtype), None)


def data(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def matrix_diagonal(x):
    """The diagonals of a batch of matrices: (*, n, n) -> (*, n)."""
    return diagonal(x, 0, -2, -1)


def softplus(x):
    """log(1 + exp(x)) without a linear cut-off (exact to the last bit at large |x|)."""
    from ..ops.nn import softplus as _softplus
    return _softplus(x, 1.0, np.inf)
