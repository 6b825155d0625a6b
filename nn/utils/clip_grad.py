"""Gradient clipping: `clip_grad_norm_`, `clip_grad_value_`, `get_total_norm`."""
import math

import numpy as np

from autograd import versions
from autograd.tensor import Tensor, _make

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p._grad for p in _params(parameters) if p._grad is not None]


def _norm(arr, norm_type):
    """The norm of one array, accumulated in float64 (no overflow for large float32 values)."""
    a = np.abs(arr.astype(np.float64, copy=False)).ravel()
    if a.size == 0:
        return 0.0
    if norm_type == math.inf:
        return float(a.max())
    if norm_type == -math.inf:
        return float(a.min())
    if norm_type == 2:
        return float(np.sqrt(np.dot(a, a)))
    if norm_type == 1:
        return float(a.sum())
    return float((a ** norm_type).sum() ** (1.0 / norm_type))


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of `tensors` (as if they were concatenated), as a 0-d Tensor of
    the first tensor's dtype."""
    tensors = _params(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _make(np.asarray(0.0, np.float32), None)
    norms = [_norm(t._data, norm_type) for t in tensors]
    total = _norm(np.asarray(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    return _make(np.asarray(total, tensors[0]._data.dtype), None)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    coef = float(max_norm) / (float(total_norm) + 1e-6)
    if coef >= 1.0:
        return
    for p in _params(parameters):
        g = p._grad
        if g is not None:
            with np.errstate(invalid="ignore"):  # an inf norm makes nan, as PyTorch
                g._data *= np.asarray(coef, g._data.dtype)
            versions.bump(g, "clip_grad_norm_")


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Rescale the gradients in place so their total norm is at most `max_norm`.

    Returns the total norm before clipping, as a Tensor. With `error_if_nonfinite`, a nan or
    infinite total raises instead of scaling the gradients by it.

    Example:
        >>> loss.backward()
        >>> total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        >>> optimizer.step()
    """
    params = [p for p in _params(parameters) if p._grad is not None]
    total = get_total_norm([p._grad for p in params], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        versions.bump(g, "clip_grad_value_")


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of `clip_grad_norm_` (with PyTorch's FutureWarning)."""
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


__all__ += ["clip_grad_norm"]
