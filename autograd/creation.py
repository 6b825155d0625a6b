"""Creating tensors: from data, filled, ranges, random, and `*_like` variants.

Python floats become the default dtype (float32), Python ints int64 and bools bool; a NumPy
array keeps its dtype, as `torch.tensor` does.
"""
import numbers

import numpy as np

from . import dtypes
from .random import _generator
from .tensor import Tensor, _make

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange",
           "linspace", "logspace", "eye", "rand", "randn", "randint", "randperm", "normal",
           "bernoulli", "multinomial", "zeros_like", "ones_like", "full_like", "empty_like",
           "rand_like", "randn_like", "randint_like"]


def _infer_array(data):
    """`data` as an ndarray with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _tensors_to_lists(data)
    arr = np.asarray(data)
    if arr.dtype.kind == "f" and arr.dtype != dtypes.get_default_dtype():
        arr = arr.astype(dtypes.get_default_dtype())
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind not in "bf":
        raise TypeError(f"can't convert data of type {arr.dtype} ({type(data).__name__}) to a "
                        f"tensor; expected numbers, nested lists of numbers or arrays")
    return arr


def _holds_tensors(data):
    return isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data))


def _flat(data):
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            yield x


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of `data` (a number, nested lists, an array, a tensor).

    Example:
        >>> x = tensor([[1.0, 2.0]], requires_grad=True)   # float32, shape (1, 2)
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype is not None and not isinstance(data, (Tensor, np.ndarray, np.generic)) and \
            not _holds_tensors(data):
        arr = np.array(data, dtype=dtype)  # straight to the asked dtype: no float32 rounding
    else:
        arr = np.array(_infer_array(data), dtype=dtype, copy=True)
    t = _make(arr, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a NumPy array or a tensor when it can."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return data
    arr = _infer_array(data)
    if dtype is not None:
        arr = arr.astype(dtypes.as_dtype(dtype), copy=False)
    return _make(arr, None)


def from_numpy(array):
    """A tensor sharing memory with `array` (its dtype is kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.as_dtype(array.dtype)
    return _make(array, None)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (numbers.Integral,)) and not (isinstance(n, Tensor) and n.ndim == 0):
            raise TypeError(f"size must be a sequence of ints, got {size!r}")
        if int(n) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(n)}: "
                               f"{list(size)}")
    return tuple(int(n) for n in size)


def _finish(arr, requires_grad):
    t = _make(arr, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype):
    return dtypes.as_dtype(dtype) or dtypes.get_default_dtype()


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.zeros(_size(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.ones(_size(size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return _finish(np.empty(_size(size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _infer_array(fill_value).dtype
    return _finish(np.full(_size((size,)), fill_value, dtypes.as_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from `start` to `end` (exclusive); int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.get_default_dtype() if is_float else dtypes.int64
    return _finish(np.arange(start, end, step).astype(dtypes.as_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    return _finish(np.linspace(start, end, int(steps)).astype(_float_dtype(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    arr = np.logspace(start, end, int(steps), base=base)
    return _finish(arr.astype(_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(int(n), None if m is None else int(m), dtype=_float_dtype(dtype)),
                   requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype)
    return _finish(_generator(generator).uniform(_size(size), 0.0, 1.0, dt), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples."""
    dt = _float_dtype(dtype)
    return _finish(_generator(generator).normal(_size(size), 0.0, 1.0, dt), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers uniform on [low, high); `randint(high, size)` and `randint(low, high, size)`."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing the required argument 'size'")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    arr = _generator(generator).integers(_size((size,)), int(low), int(high))
    return _finish(arr.astype(dtypes.as_dtype(dtype) or dtypes.int64, copy=False), requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    if int(n) < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    arr = _generator(generator).permutation(int(n))
    return _finish(arr.astype(dtypes.as_dtype(dtype) or dtypes.int64, copy=False), False)


def normal(mean, std=1.0, size=None, generator=None):
    """Samples from N(mean, std**2); `mean` and `std` may be tensors or numbers (standard normal
    draws scaled by std and shifted by mean, in that order, as PyTorch)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if isinstance(s, np.ndarray) and s.size and np.min(s) < 0 or \
            not isinstance(s, np.ndarray) and s < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s}")
    shape = _size((size,)) if size is not None else np.broadcast(m, s).shape
    dt = next((x.dtype for x in (m, s) if isinstance(x, np.ndarray)), dtypes.get_default_dtype())
    gen = _generator(generator)
    if isinstance(s, np.ndarray):
        arr = gen.normal(shape, 0.0, 1.0, dt) * s + m
    elif isinstance(m, np.ndarray):
        arr = gen.normal(shape, 0.0, float(s), dt) + m
    else:
        arr = gen.normal(shape, float(m), float(s), dt)
    return _make(np.asarray(arr).astype(dt, copy=False), None)


def bernoulli(input, p=None, generator=None):
    """0/1 samples of `input`'s dtype: 1 with probability `p` (a number) or `input` itself."""
    gen = _generator(generator)
    if p is not None:
        arr = gen.bernoulli(input.shape, float(p))
    else:
        probs = input._data
        if probs.size and (np.min(probs) < 0 or np.max(probs) > 1):
            raise RuntimeError(f"bernoulli: expected all probabilities in [0, 1], got values "
                               f"from {np.min(probs)} to {np.max(probs)}")
        arr = gen.bernoulli_tensor(probs)
    return _make(arr.astype(input.dtype), None)


def multinomial(input, num_samples, replacement=False, generator=None):
    """Indices drawn from each row of non-negative weights `(k,)` or `(n, k)`, shape
    `(num_samples,)` or `(n, num_samples)`."""
    probs = input._data
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {probs.shape}")
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{probs.dtype}")
    rows = probs.reshape(-1, probs.shape[-1])
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got {num_samples}")
    if not replacement and num_samples > rows.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({num_samples} > {rows.shape[-1]})")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if np.any(rows.sum(-1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities "
                           "<= 0)")
    if not replacement and np.any(np.count_nonzero(rows, axis=-1) < num_samples):
        raise RuntimeError("multinomial: invalid multinomial distribution (with "
                           "replacement=False, not enough non-negative category to sample)")
    out = _generator(generator).multinomial(rows, num_samples, replacement)
    return _make(out.reshape(probs.shape[:-1] + (num_samples,)), None)


# The *_like functions take PyTorch's `layout` and `memory_format` and ignore them: every
# tensor here is strided and new arrays are C-contiguous.
def _like(x, dtype):
    return dtypes.as_dtype(dtype) or x.dtype


def zeros_like(input, dtype=None, device=None, requires_grad=False,
               layout=None, memory_format=None):
    return _finish(np.zeros(input.shape, _like(input, dtype)), requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False,
              layout=None, memory_format=None):
    return _finish(np.ones(input.shape, _like(input, dtype)), requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False,
               layout=None, memory_format=None):
    return _finish(np.empty(input.shape, _like(input, dtype)), requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False,
              layout=None, memory_format=None):
    return _finish(np.full(input.shape, fill_value, _like(input, dtype)), requires_grad)


def rand_like(input, dtype=None, generator=None, device=None, requires_grad=False,
              layout=None, memory_format=None):
    return rand(*input.shape, generator=generator, dtype=_like(input, dtype),
                requires_grad=requires_grad)


def randn_like(input, dtype=None, generator=None, device=None, requires_grad=False,
               layout=None, memory_format=None):
    return randn(*input.shape, generator=generator, dtype=_like(input, dtype),
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, dtype=None, generator=None, device=None,
                 layout=None, memory_format=None):
    return randint(low, high, tuple(input.shape), generator=generator,
                   dtype=dtypes.as_dtype(dtype) or input.dtype)


def _triangle_indices(row, col, offset, lower, dtype, name):
    row, col, offset = int(row), int(col), int(offset)
    if row < 0 or col < 0:
        raise RuntimeError(f"{name}(): row and col must be non-negative, got {row} and {col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return _make(np.stack([r, c]).astype(dtypes.as_dtype(dtype) or np.int64), None)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The row and column indices of the lower triangle (below diagonal `offset`) of a
    row x col matrix, row by row.

    Shapes: -> (2, k)
    """
    return _triangle_indices(row, col, offset, True, dtype, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The row and column indices of the upper triangle (above diagonal `offset`) of a
    row x col matrix, row by row.

    Shapes: -> (2, k)
    """
    return _triangle_indices(row, col, offset, False, dtype, "triu_indices")


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
    """A 0-dim tensor holding the number `s`, in the default float dtype unless `dtype` is
    given (even for ints and bools, as in PyTorch)."""
    dt = dtypes.as_dtype(dtype) or dtypes.get_default_dtype()
    return _finish(np.array(s, dt), requires_grad)
