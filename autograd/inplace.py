"""In-place tensor methods (`add_`, `mul_`, `zero_`, `copy_`, `clamp_`, ...).

Without recording (grad mode off, or nothing requires grad) the array is updated in place with
NumPy's `out=`. When recording, the op is applied out of place to a snapshot of the old value and
the result is copied back into the same array, so views see the change, the tensor takes the new
node as its `grad_fn`, and every node that saved the old value sees a bumped version counter.
"""
import numpy as np

from . import grad_mode, versions
from ._broadcast import mismatch_error
from .tensor import Tensor, _make

_state = grad_mode._state


def _needs_recording(self, *others):
    if not _state.enabled:
        return False
    return self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)


def _bump(self, op_name):
    versions.bump(self._data, op_name)


def _check_leaf(self, op_name):
    if self.grad_fn is None and self._requires_grad:
        raise RuntimeError(f"a leaf Variable that requires grad is being used in an in-place "
                           f"operation ({op_name}); wrap it in `with no_grad():` to update it")
    base = self._base
    if base is not None:
        while base._base is not None:
            base = base._base
        if base.grad_fn is None and base._requires_grad:
            raise RuntimeError(f"a view of a leaf Variable that requires grad is being used in "
                               f"an in-place operation ({op_name}); wrap it in "
                               f"`with no_grad():` to update it")
        # NOTE: the tensor this one views would not see the write in its gradient; refuse
        # rather than return a silently wrong gradient.
        raise RuntimeError(f"{op_name}: an in-place operation on a view of another tensor "
                           f"(shape {tuple(base.shape)}) is not supported while recording; "
                           f"index the base in one step (x[i, j] = v instead of x[i][j] = v) or "
                           f"clone() the view first")


def apply_inplace(self, op_name, out_of_place, *others):
    """Write `out_of_place(self, *others)` into `self`, recording it when needed."""
    if _needs_recording(self, *others):
        _check_leaf(self, op_name)
        old = _make(self._data.copy(), self.grad_fn)
        old._requires_grad = self._requires_grad
        new = out_of_place(old, *others)
        _store(self, new._data, op_name)
        self.grad_fn = new.grad_fn
        self._requires_grad = new._requires_grad
    else:
        with grad_mode._Scope(False):
            new = out_of_place(self, *others)
        _store(self, new._data, op_name)
    _bump(self, op_name)
    return self


def _store(self, value, op_name):
    target = self._data
    if value.dtype != target.dtype and not np.can_cast(value.dtype, target.dtype, "same_kind"):
        raise RuntimeError(f"{op_name}: result type {value.dtype} can't be cast to the desired "
                           f"output type {target.dtype}")
    if value.shape != target.shape:
        try:
            np.broadcast_to(value, target.shape)
        except ValueError:
            raise RuntimeError(f"{op_name}: output with shape {tuple(target.shape)} doesn't match "
                               f"the broadcast shape {tuple(value.shape)}") from None
    if not target.flags.writeable:
        raise RuntimeError(f"{op_name}: this tensor's storage is read-only (an expanded view?)")
    np.copyto(target, value, casting="unsafe")


def _check_broadcasts_into(target_shape, shape, op_name):
    """PyTorch's RuntimeError unless `shape` broadcasts to `target_shape` exactly."""
    mismatch = mismatch_error((target_shape, shape))
    if mismatch is not None:
        raise mismatch
    broadcast = np.broadcast_shapes(target_shape, shape)
    if broadcast != target_shape:
        raise RuntimeError(f"{op_name}: output with shape {tuple(target_shape)} doesn't match "
                           f"the broadcast shape {broadcast}")


def _fast_binary(ufunc, op_name, out_of_place):
    """In-place binary method with a zero-copy path when nothing is recorded."""
    def method(self, other, *, alpha=None):
        if alpha is not None and alpha != 1:
            other = other * alpha
        if not _needs_recording(self, other):
            b = other._data if isinstance(other, Tensor) else other
            target = self._data
            res_kind = np.result_type(target, b).kind if isinstance(b, np.ndarray) else None
            if res_kind == "f" and target.dtype.kind != "f":
                raise RuntimeError(f"{op_name}: result type Float can't be cast to the desired "
                                   f"output type {target.dtype}")
            if isinstance(b, np.ndarray) and b.shape != target.shape:
                _check_broadcasts_into(target.shape, b.shape, op_name)
            ufunc(target, b, out=target, casting="unsafe")
            _bump(self, op_name)
            return self
        return apply_inplace(self, op_name, out_of_place, other)
    method.__name__ = op_name
    return method


def zero_(self):
    return fill_(self, 0)


def fill_(self, value):
    if _needs_recording(self, value):
        _check_leaf(self, "fill_")
        from .ops.elementwise import mul, add
        return apply_inplace(self, "fill_", lambda old, v: add(mul(old, 0.0), v), value)
    self._data[...] = value._data if isinstance(value, Tensor) else value
    _bump(self, "fill_")
    return self


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        src = _make(np.asarray(src), None)
    if _needs_recording(self, src):
        from .ops.elementwise import mul, add, cast
        return apply_inplace(self, "copy_",
                             lambda old, s: add(mul(old, 0.0), cast(s, old.dtype)), src)
    _store(self, src._data, "copy_")
    _bump(self, "copy_")
    return self


def _fill_dtype(self):
    dt = self._data.dtype
    return dt if dt.kind == "f" else np.dtype(np.float64)


def uniform_(self, a=0.0, b=1.0, generator=None):
    from .random import _generator
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a} > to={b}")
    values = _generator(generator).uniform(self.shape, a, b, _fill_dtype(self))
    return _random_fill(self, values, "uniform_")


def normal_(self, mean=0.0, std=1.0, generator=None):
    from .random import _generator
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    values = _generator(generator).normal(self.shape, mean, std, _fill_dtype(self))
    return _random_fill(self, values, "normal_")


def bernoulli_(self, p=0.5, generator=None):
    """1 with probability `p` (a number, or a tensor broadcast to this one's shape)."""
    from .random import _generator
    gen = _generator(generator)
    if isinstance(p, Tensor):
        values = gen.bernoulli_tensor(np.broadcast_to(p._data, self.shape))
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        values = gen.bernoulli(self.shape, p)
    return _random_fill(self, values, "bernoulli_")


def _random_fill(self, values, op_name):
    if _needs_recording(self):
        _check_leaf(self, op_name)
    self._data[...] = values
    _bump(self, op_name)
    return self
