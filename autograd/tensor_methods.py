"""More `Tensor` methods, bound from tables: PyTorch's in-place `x_` variants of existing
functions, in-place shape changes, random fills, storage queries and small attributes.

In-place variants go through `inplace.apply_inplace` (version counter bumped; recorded on the
graph when needed; PyTorch's dtype rule: a result that cannot be cast to the tensor's dtype, such
as a float result into an integer tensor, raises RuntimeError, while `eq_` on a float tensor
writes 1.0/0.0). A result without gradient (a comparison, floor) written into a tensor that
requires grad keeps it on the graph with a zero gradient, as PyTorch does.
"""
import numpy as np

from . import creation, dtypes, grad_mode, inplace as _ip, versions
from .runtime import strided
from .tensor import RemovableHandle, Tensor, _make
from .ops import bits, elementwise as ew, gamma, matrices, reduce, shape, views, writes
from .ops import nn as _nn, products
from .info import Size

__all__ = ["is_complex", "is_inference", "is_nonzero", "is_same_size", "is_signed",
           "get_device"]


# ---------------------------------------------------------------------- out-of-place methods
def _swap_first(fn):
    """`x.method(a, ...)` for functions whose first parameter is not the tensor."""
    def method(self, first, *args, **kwargs):
        return fn(first, self, *args, **kwargs)
    method.__name__ = fn.__name__
    return method


_METHODS = {
    "addmm": _nn.addmm, "addr": matrices.addr, "vdot": matrices.vdot,
    "matrix_power": matrices.matrix_power, "cov": matrices.cov, "corrcoef": matrices.corrcoef,
    "renorm": matrices.renorm, "prelu": matrices.prelu, "hardshrink": matrices.hardshrink,
    "lgamma": gamma.lgamma, "digamma": gamma.digamma, "mvlgamma": gamma.mvlgamma,
    "polygamma": _swap_first(gamma.polygamma),
    "bitwise_and": bits.bitwise_and, "bitwise_or": bits.bitwise_or,
    "bitwise_xor": bits.bitwise_xor, "bitwise_not": bits.bitwise_not,
    "bitwise_left_shift": bits.bitwise_left_shift,
    "bitwise_right_shift": bits.bitwise_right_shift, "gcd": bits.gcd, "lcm": bits.lcm,
    "fmod": bits.fmod, "nextafter": bits.nextafter, "frexp": bits.frexp, "ldexp": bits.ldexp,
    "isposinf": bits.isposinf, "isneginf": bits.isneginf, "isreal": bits.isreal,
    "positive": bits.positive, "fix": bits.fix, "not_equal": ew.ne,
    "index_add": writes.index_add, "index_copy": writes.index_copy,
    "index_fill": writes.index_fill, "index_put": writes.index_put,
    "index_reduce": writes.index_reduce, "scatter_reduce": writes.scatter_reduce,
    "masked_scatter": writes.masked_scatter, "put": writes.put,
    "select_scatter": writes.select_scatter, "slice_scatter": writes.slice_scatter,
    "diagonal_scatter": writes.diagonal_scatter,
    "select": views.select, "unfold": views.unfold, "as_strided": views.as_strided,
    "ravel": views.ravel, "narrow_copy": views.narrow_copy,
    "split_with_sizes": views.split_with_sizes, "vsplit": views.vsplit,
    "hsplit": views.hsplit, "dsplit": views.dsplit, "sum_to_size": views.sum_to_size,
    "diagflat": views.diagflat, "msort": views.msort,
    "bernoulli": creation.bernoulli, "multinomial": creation.multinomial,
}


# ---------------------------------------------------------------------- in-place variants
def _inplace(name, fn):
    """`x.name(*args, **kwargs)`: `fn(x, *args, **kwargs)` written into x."""
    def out_of_place(kwargs):
        def run(x, *args):
            out = fn(x, *args, **kwargs)
            if x._requires_grad and not out._requires_grad and grad_mode._state.enabled:
                # NOTE: keeps x on the graph with a zero gradient (PyTorch's EqBackward etc.)
                out = ew.add(ew.mul(x, 0.0), out.to(x.dtype))
            return out
        return run

    def method(self, *args, **kwargs):
        return _ip.apply_inplace(self, name, out_of_place(kwargs), *args)
    method.__name__ = name
    return method


_INPLACE = {
    # unary
    "absolute_": ew.abs, "negative_": ew.neg, "ceil_": ew.ceil, "floor_": ew.floor,
    "round_": ew.round, "trunc_": ew.trunc, "fix_": ew.trunc, "frac_": ew.frac,
    "sign_": ew.sign, "sgn_": ew.sign, "erf_": ew.erf, "exp2_": ew.exp2, "expm1_": ew.expm1,
    "log10_": ew.log10, "log1p_": ew.log1p, "log2_": ew.log2, "reciprocal_": ew.reciprocal,
    "rsqrt_": ew.rsqrt, "square_": ew.square, "tan_": ew.tan, "lgamma_": gamma.lgamma,
    "digamma_": gamma.digamma, "bitwise_not_": bits.bitwise_not,
    "logical_not_": ew.logical_not,
    # binary
    "eq_": ew.eq, "ne_": ew.ne, "not_equal_": ew.ne, "lt_": ew.lt, "less_": ew.lt,
    "le_": ew.le, "less_equal_": ew.le, "gt_": ew.gt, "greater_": ew.gt, "ge_": ew.ge,
    "greater_equal_": ew.ge, "logical_and_": ew.logical_and, "logical_or_": ew.logical_or,
    "logical_xor_": ew.logical_xor, "bitwise_and_": bits.bitwise_and,
    "bitwise_or_": bits.bitwise_or, "bitwise_xor_": bits.bitwise_xor,
    "bitwise_left_shift_": bits.bitwise_left_shift,
    "bitwise_right_shift_": bits.bitwise_right_shift, "gcd_": bits.gcd, "lcm_": bits.lcm,
    "clamp_min_": ew.clamp_min, "clamp_max_": ew.clamp_max, "divide_": ew.div,
    "true_divide_": ew.div, "floor_divide_": ew.floor_divide, "remainder_": ew.remainder,
    "fmod_": bits.fmod, "ldexp_": bits.ldexp, "heaviside_": None,
    # more arguments
    "addmm_": _nn.addmm, "addmv_": products.addmv, "addbmm_": products.addbmm,
    "baddbmm_": products.baddbmm, "addr_": matrices.addr, "cumsum_": reduce.cumsum,
    "cumprod_": reduce.cumprod, "renorm_": matrices.renorm, "index_add_": writes.index_add,
    "index_copy_": writes.index_copy, "index_put_": writes.index_put,
    "index_reduce_": writes.index_reduce, "scatter_reduce_": writes.scatter_reduce,
    "masked_scatter_": writes.masked_scatter, "put_": writes.put,
}


def _polygamma_(self, n):
    return _ip.apply_inplace(self, "polygamma_", lambda x: gamma.polygamma(n, x))


def _mvlgamma_(self, p):
    return _ip.apply_inplace(self, "mvlgamma_", lambda x: gamma.mvlgamma(x, p))


# ---------------------------------------------------------------------- in-place shape changes
def _inplace_view(name, fn):
    """`x.name(...)`: x takes the shape/strides of `fn(x, ...)`, a view of its own storage."""
    def method(self, *args, **kwargs):
        recording = grad_mode._state.enabled and self._requires_grad
        if recording and self.grad_fn is None:
            raise RuntimeError(f"a leaf Variable that requires grad is being used in an "
                               f"in-place operation ({name}).")
        old = _make(self._data, self.grad_fn)
        old._requires_grad = self._requires_grad
        with grad_mode._Scope(recording):
            new = fn(old, *args, **kwargs)
        self._data = new._data
        if recording:
            self.grad_fn = new.grad_fn
        versions.bump(self._data, name)
        return self
    method.__name__ = name
    return method


def resize_(self, *sizes, memory_format=None):
    """Give the tensor shape `sizes`, keeping its first elements (new ones are zero; storage is
    reallocated only when it grows). Refused on tensors that require grad, as PyTorch."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    size = shape._shape_arg(sizes)
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(size)}")
    n = int(np.prod(size, dtype=np.int64))
    storage, offset, _ = views._storage(self)
    if storage is None or storage.dtype != self._data.dtype:  # (not a plain array: copy)
        storage, offset = self._data.reshape(-1), 0
    # NOTE: as PyTorch, the storage (from the tensor's offset on) is kept when it is large
    # enough, so shrinking then growing back shows the old elements again.
    rest = storage[offset:]
    if n <= rest.size:
        self._data = rest[:n].reshape(size)
    else:
        grown = np.zeros(n, rest.dtype)
        grown[:rest.size] = rest
        self._data = grown.reshape(size)
    versions.bump(self._data, "resize_")
    return self


def resize_as_(self, other, memory_format=None):
    return resize_(self, other.shape)


# ---------------------------------------------------------------------- random fills
def _float_only(self, name, what):
    if self._data.dtype.kind != "f":
        raise RuntimeError(f"{what} is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {self._data.dtype}")


def _gen(generator):
    from .random import _generator
    return _generator(generator)


def random_(self, from_=0, to=None, *, generator=None, **kwargs):
    """Integers drawn uniformly from [from, to); `random_(to)` means [0, to); without `to`, up to
    the largest integer the dtype holds exactly (2**24 for float32, 2**53 for float64)."""
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    if kwargs:
        raise TypeError(f"random_() got unexpected keyword arguments {sorted(kwargs)}")
    dt = self._data.dtype
    if to is None:
        if dt.kind == "f":
            hi = 2 ** np.finfo(dt).nmant + 1
        elif dt.kind == "b":
            hi = 2
        else:
            hi = int(np.iinfo(dt).max) + 1
        lo = from_
    else:
        lo, hi = from_, to
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= "
                           f"to={hi}")
    gen = _gen(generator)
    values = gen.full_range(self.shape, dt) if to is None and from_ == 0 else \
        gen.integers(self.shape, lo, hi)
    return _ip._random_fill(self, values.astype(dt), "random_")


def _random_to(self, *args, generator=None, **kwargs):
    """random_(to) with one positional argument is [0, to)."""
    if len(args) == 1 and "to" not in kwargs:
        return random_(self, 0, args[0], generator=generator)
    return random_(self, *args, generator=generator, **kwargs)


def exponential_(self, lambd=1.0, *, generator=None):
    _float_only(self, "exponential_", "Exponential distribution")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _ip._random_fill(self, _gen(generator).exponential(self.shape, lambd),
                            "exponential_")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    _float_only(self, "cauchy_", "Cauchy distribution")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return _ip._random_fill(self, _gen(generator).cauchy(self.shape, median, sigma),
                            "cauchy_")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    _float_only(self, "log_normal_", "LogNormal distribution")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _ip._random_fill(self, _gen(generator).log_normal(
        self.shape, mean, std), "log_normal_")


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _ip._random_fill(self, _gen(generator).geometric(self.shape, p), "geometric_")


# ---------------------------------------------------------------------- queries
def is_complex(input):
    return False


def is_inference(input):
    # NOTE: inference_mode here is no_grad without tensor marking: no tensor is an
    # inference tensor.
    return False


def is_signed(input):
    return input._data.dtype.kind in "if"


def is_nonzero(input):
    """The truth of a one-element tensor (RuntimeError for any other size, as PyTorch)."""
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous "
                           f"(shape {tuple(input.shape)})")
    return bool(input._data.reshape(()))


def is_same_size(input, other):
    return input.shape == other.shape


def get_device(input):
    """-1: the tensor is on the cpu."""
    return -1


def _data_ptr(self):
    return self._data.__array_interface__["data"][0]


def _stride(self, dim=None):
    """Strides in elements (PyTorch's unit), not bytes."""
    item = self._data.itemsize
    strides = tuple(s // item for s in self._data.strides)
    if dim is None:
        return strides
    from .ops._util import normalize_dim
    return strides[normalize_dim(dim, self._data.ndim, "stride")]


def _storage_offset(self):
    data = self._data
    root = versions._root(data)
    return (data.__array_interface__["data"][0] - root.__array_interface__["data"][0]) \
        // data.itemsize


def _conj_transpose(self):
    if self._data.ndim not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self._data.ndim}-D tensor.")
    return shape.t(self)


def _matrix_conj_transpose(self):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {self._data.ndim}-D tensor.")
    return shape.transpose(self, -2, -1)


def _new(self, *args, dtype=None, device=None, requires_grad=False):
    """Legacy constructor in this tensor's dtype: `x.new()` (empty), `x.new(2, 3)` (a new
    tensor of that shape, zero-filled here), `x.new([1, 2])` / `x.new(array)` (data)."""
    dt = dtypes.as_dtype(dtype) or self.dtype
    if not args:
        out = _make(np.zeros((0,), dt), None)
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        out = _make(np.zeros(tuple(int(a) for a in args), dt), None)
    elif len(args) == 1 and isinstance(args[0], Size):
        out = _make(np.zeros(tuple(args[0]), dt), None)
    elif len(args) == 1:
        data = args[0]._data if isinstance(args[0], Tensor) else args[0]
        out = _make(np.array(data, dt), None)
    else:
        raise TypeError(f"new(): expected sizes or one sequence of data, got {args!r}")
    return out.requires_grad_(True) if requires_grad else out


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                       **kwargs):
    """A new tensor with the given sizes and strides (in elements), zero-filled here."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes and "
                           f"{len(stride)} strides")
    dt = dtypes.as_dtype(dtype) or self.dtype
    need = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    storage = np.zeros(need, dt)
    arr = np.lib.stride_tricks.as_strided(storage, size, tuple(s * dt.itemsize for s in stride))
    out = _make(arr, None)
    return out.requires_grad_(True) if requires_grad else out


def _apply_(self, callable):
    """Replace each element x by callable(x), in place (Python callables, cpu only)."""
    if self._requires_grad:
        raise RuntimeError("Can't call apply_() on Variable that requires grad. Use "
                           "var.detach().apply_() instead.")
    flat = self._data.reshape(-1) if self._data.flags.c_contiguous else None
    values = [callable(v) for v in self._data.reshape(-1).tolist()]
    new = np.array(values, dtype=self._data.dtype).reshape(self._data.shape) if values else \
        self._data
    if flat is not None:
        flat[...] = new.reshape(-1)
    else:
        self._data[...] = new
    versions.bump(self._data, "apply_")
    return self


def _map_(self, tensor, callable):
    """self[i] = callable(self[i], tensor[i]) with `tensor` broadcast to self's shape."""
    if self._requires_grad or tensor._requires_grad:
        raise RuntimeError("Can't call map_() on Variable that requires grad. Use "
                           "var.detach().map_() instead.")
    try:
        other = np.broadcast_to(tensor._data, self._data.shape)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({self._data.shape}) must match "
                           f"the existing size {tuple(tensor.shape)}: map_ needs `tensor` to "
                           f"broadcast to self's shape") from None
    values = [callable(a, b) for a, b in zip(self._data.reshape(-1).tolist(),
                                             other.reshape(-1).tolist())]
    if values:
        self._data[...] = np.array(values, self._data.dtype).reshape(self._data.shape)
    versions.bump(self._data, "map_")
    return self


def _register_post_accumulate_grad_hook(self, hook):
    """Call `hook(tensor)` after backward has accumulated this leaf's `.grad`; returns a handle
    whose `remove()` unregisters it."""
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    hooks = self.__dict__.get("_post_acc_hooks")
    if hooks is None:
        hooks = self._post_acc_hooks = {}
    return RemovableHandle(hooks, hook)


# ---------------------------------------------------------------------- binding
def install():
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    for name, fn in _INPLACE.items():
        if fn is not None:
            setattr(Tensor, name, _inplace(name, fn))
    from .ops import pointwise
    Tensor.heaviside_ = _inplace("heaviside_", pointwise.heaviside)
    Tensor.multiply_ = Tensor.mul_
    Tensor.subtract_ = Tensor.sub_
    Tensor.polygamma_ = _polygamma_
    Tensor.mvlgamma_ = _mvlgamma_
    for name, fn in (("squeeze_", shape.squeeze), ("unsqueeze_", shape.unsqueeze),
                     ("t_", shape.t), ("transpose_", shape.transpose),
                     ("swapaxes_", shape.transpose), ("swapdims_", shape.transpose),
                     ("as_strided_", views.as_strided)):
        setattr(Tensor, name, _inplace_view(name, fn))
    Tensor.resize_ = resize_
    Tensor.resize_as_ = resize_as_
    Tensor.random_ = _random_to
    Tensor.exponential_ = exponential_
    Tensor.cauchy_ = cauchy_
    Tensor.log_normal_ = log_normal_
    Tensor.geometric_ = geometric_
    for name in __all__:
        setattr(Tensor, name, globals()[name])
    Tensor.is_cpu = True
    Tensor.is_mps = Tensor.is_sparse = Tensor.is_quantized = False
    Tensor.is_pinned = lambda self, device=None: False
    Tensor.is_shared = lambda self: False
    Tensor.pin_memory = lambda self, device=None: self
    Tensor.share_memory_ = lambda self: self
    Tensor.data_ptr = _data_ptr
    Tensor.stride = _stride
    Tensor.storage_offset = _storage_offset
    Tensor.itemsize = property(lambda self: self._data.itemsize)
    Tensor.layout = property(lambda self: strided)
    Tensor.H = property(_conj_transpose)
    Tensor.mH = property(_matrix_conj_transpose)
    Tensor.new = _new
    Tensor.new_empty_strided = _new_empty_strided
    Tensor.byte = lambda self: self.to(dtypes.uint8)
    Tensor.char = lambda self: self.to(dtypes.int8)
    Tensor.short = lambda self: self.to(dtypes.int16)
    Tensor.apply_ = _apply_
    Tensor.map_ = _map_
    Tensor.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook


install()
