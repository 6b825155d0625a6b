"""The `out=` argument PyTorch's functions take: `torch.matmul(a, b, out=c)` writes into `c`.

Every public function of `autograd.ops.*` and `autograd.creation` gets it when the package is
imported. As in PyTorch, a write into `out` is an in-place write (version counted, no gradient
recorded), so it is refused while any input requires grad in grad mode; `out` is resized when
its shape differs, and the result must be castable to `out`'s dtype.
"""
import functools
import inspect

import numpy as np

from . import grad_mode, versions
from .tensor import Tensor

__all__ = ["add_out_arguments"]

_SOURCES = ("autograd.ops.", "autograd.creation")


def add_out_arguments(namespace):
    """Replace every public function from the op and creation modules in `namespace` by one
    that also takes `out=` (aliases such as `absolute` and `abs` keep sharing one function)."""
    wrapped = {}
    for name, fn in list(namespace.items()):
        if (name.startswith("_") or not inspect.isfunction(fn)
                or not fn.__module__.startswith(_SOURCES)
                or "out" in inspect.signature(fn).parameters):
            continue
        if id(fn) not in wrapped:
            wrapped[id(fn)] = _with_out(fn)
        namespace[name] = wrapped[id(fn)]


def _with_out(fn):
    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if grad_mode.is_grad_enabled() and any(
                isinstance(a, Tensor) and a.requires_grad
                for a in (*args, *kwargs.values(), *_tensors(out))):
            raise RuntimeError(f"{fn.__name__}(): functions with out=... arguments don't support "
                               f"automatic differentiation, but one of the arguments requires "
                               f"grad.")
        result = fn(*args, **kwargs)
        if isinstance(out, (tuple, list)):
            if not isinstance(result, tuple) or len(result) != len(out):
                raise TypeError(f"{fn.__name__}(): out= got {len(out)} tensors for "
                                f"{len(result) if isinstance(result, tuple) else 1} results")
            for o, r in zip(out, result):
                _write(o, r, fn.__name__)
            return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
        _write(out, result, fn.__name__)
        return out
    return with_out


def _tensors(out):
    return out if isinstance(out, (tuple, list)) else (out,)


def _write(out, result, name):
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    value = result._data if isinstance(result, Tensor) else np.asarray(result)
    if not np.can_cast(value.dtype, out.dtype, "same_kind"):
        raise RuntimeError(f"{name}(): result type {value.dtype} can't be cast to the desired "
                           f"output type {out.dtype}")
    if out.shape != value.shape:
        out._data = np.empty(value.shape, out.dtype)  # PyTorch resizes `out` as well
    np.copyto(out._data, value, casting="same_kind")
    versions.bump(out, name)
