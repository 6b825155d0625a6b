"""`Tensor`: a NumPy array plus what autograd needs to differentiate through it.

The array lives in `_data`; `requires_grad`, `grad` and `grad_fn` follow PyTorch. Arithmetic,
shape and reduction methods are one-line bindings to the ops in `autograd.ops`, listed at the end
of this file. In-place ops bump a version counter kept per storage (autograd/versions.py), so a
backward that needs an overwritten value raises instead of returning a wrong gradient.
"""
import numpy as np

from . import dtypes, engine, function, grad_mode, versions
from .device import device as _device

_CPU = _device("cpu")

__all__ = ["Tensor"]

_state = grad_mode._state
_new = object.__new__


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Create tensors with `autograd.tensor(data)`, `zeros`, `randn`, ...; `Tensor(data)` also
    works and, like PyTorch's legacy constructor, makes a float tensor.
    """

    __slots__ = ("_data", "_grad", "grad_fn", "_requires_grad", "__dict__", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy defers to our reflected operators (ndarray + Tensor)
    _hooks = None
    _post_acc_hooks = None  # {id: hook(tensor)} run after backward accumulates a leaf's .grad
    _is_node = False
    _base = None  # the tensor this one is a view of (set by view ops), else None

    def __init__(self, *args, requires_grad=False, dtype=None):
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            arr = np.asarray(args[0]._data if isinstance(args[0], Tensor) else args[0])
            if dtype is None and arr.dtype.kind != "f":
                dtype = dtypes.get_default_dtype()
        else:
            arr = np.zeros(tuple(int(n) for n in args), dtypes.get_default_dtype())
        if dtype is not None:
            arr = arr.astype(dtypes.as_dtype(dtype), copy=False)
        self._data = arr
        self._grad = None
        self.grad_fn = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ basic attributes
    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def device(self):
        return _CPU

    is_cuda = False

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def size(self, dim=None):
        if dim is None:
            return self._data.shape
        from .ops._util import normalize_dim
        return self._data.shape[normalize_dim(dim, self._data.ndim, "size")]

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                                   "you want to use a computed variable in a subgraph that doesn't "
                                   "require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients; this "
                               f"tensor has dtype {self._data.dtype}")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad must be a Tensor or None, got "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of shape {tuple(value.shape)} but the "
                                   f"tensor has shape {tuple(self.shape)}")
            if value.dtype != self.dtype:
                raise RuntimeError(f"assigned grad has dtype {value.dtype} but the tensor has "
                                   f"dtype {self.dtype}")
        self._grad = value

    @property
    def data(self):
        """A tensor sharing this one's storage, detached from the graph (changes through it are
        not tracked, as in PyTorch)."""
        return _make(self._data, None)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def _version(self):
        return versions.version_of(self._data)

    @property
    def _vc(self):
        return versions.VersionCell(self._data)

    @_vc.setter
    def _vc(self, value):
        pass  # views share their storage's counter automatically

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retain is not None

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to "
                               f"a Python scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} elements is "
                               f"ambiguous")
        return bool(self._data)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment; detach() it first")
        new = type(self).__new__(type(self))
        Tensor.__init__(new, self._data.copy())
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = _make(self._grad._data.copy(), None)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k != "_hooks"})
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        raise TypeError("Tensors are not pickled; save them with autograd.save (a safe format)")

    def __repr__(self):
        from .printing import format_tensor
        return format_tensor(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return repr(self)

    # ------------------------------------------------------------------ graph
    def detach(self):
        return _make(self._data, None)

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and self.grad_fn._retain is None:
            import weakref
            self.grad_fn._retain = weakref.ref(self)
            self.grad_fn._special = True

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a Tensor it returns
        replaces the gradient. Returns a handle whose `remove()` unregisters the hook."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self if self.grad_fn is None else self.grad_fn
        if owner._hooks is None:
            owner._hooks = {}
            if owner is self.grad_fn:
                owner._special = True
        return RemovableHandle(owner._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the `.grad` of the leaves it depends on."""
        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # ------------------------------------------------------------------ dtype conversion
    def to(self, *args, dtype=None, **kwargs):
        """`to(dtype)`, `to('cpu')`, `to(other_tensor)`: a cast (recorded) or self."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps", "meta"):
                if a != "cpu":
                    raise RuntimeError(f"device {a!r} is not available: tensors live on the cpu")
            elif a is not None:
                dtype = a
        if dtype is None:
            return self
        from .ops.elementwise import cast
        return cast(self, dtypes.as_dtype(dtype))

    def type(self, dtype=None):
        """With no argument, the legacy type name ('autograd.FloatTensor'); else a cast to a
        dtype, a legacy type (`DoubleTensor`) or its name ('torch.DoubleTensor')."""
        from . import legacy
        if dtype is None:
            name = next((n for n, d in legacy.NAMES.items() if d == self.dtype), str(self.dtype))
            return f"autograd.{name}"
        legacy_dtype = legacy.dtype_of(dtype)
        return self.to(legacy_dtype if legacy_dtype is not None else dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        raise RuntimeError("CUDA is not available: tapegrad runs on the cpu")

    def contiguous(self, memory_format=None):
        """This tensor if its data is C-contiguous, else a contiguous copy on the graph."""
        if self._data.flags.c_contiguous:
            return self
        from .ops.elementwise import clone
        return clone(self)

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def new_tensor(self, data, dtype=None, requires_grad=False):
        from .creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        return _new_filled(self, size, 0, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return _new_filled(self, size, 1, dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        return _new_filled(self, (size,), fill_value, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        return _new_filled(self, size, 0, dtype, requires_grad)


class RemovableHandle:
    """Returned by hook registration; `remove()` unregisters the hook. Usable as a context."""

    _next_id = [0]

    def __init__(self, hooks, hook):
        self.id = RemovableHandle._next_id[0]
        RemovableHandle._next_id[0] += 1
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _make(data, grad_fn):
    """Wrap an ndarray without any checks: the constructor of every op's output."""
    t = _new(Tensor)
    t._data = data
    t._grad = None
    t.grad_fn = grad_fn
    t._requires_grad = grad_fn is not None
    return t


def _new_filled(like, size, value, dtype, requires_grad):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    arr = np.full(tuple(int(n) for n in size), value, dtypes.as_dtype(dtype) or like.dtype)
    t = _make(arr, None)
    return t.requires_grad_(True) if requires_grad else t


function.Tensor = Tensor
function._make = _make
engine.Tensor = Tensor
engine._make = _make


# ---------------------------------------------------------------------- method table
# The ops modules import Tensor, so they are imported here, after the class exists.
from .ops import elementwise as _ew  # noqa: E402
from . import inplace as _ip  # noqa: E402


def _reflected(fn):
    def method(self, other):
        return fn(other, self)
    method.__name__ = "__r" + fn.__name__ + "__"
    return method


Tensor.__add__ = Tensor.add = _ew.add
# x + y and x * y are exactly commutative, so the reflected forms keep the Tensor first (the
# fast path of Op.apply).
Tensor.__radd__ = lambda self, other: _ew.add(self, other)
Tensor.__sub__ = Tensor.sub = Tensor.subtract = _ew.sub
Tensor.__rsub__ = _reflected(_ew.sub)
Tensor.__mul__ = Tensor.mul = Tensor.multiply = _ew.mul
Tensor.__rmul__ = lambda self, other: _ew.mul(self, other)
Tensor.__truediv__ = Tensor.div = Tensor.divide = Tensor.true_divide = _ew.div
Tensor.__rtruediv__ = _reflected(_ew.div)
Tensor.__floordiv__ = Tensor.floor_divide = _ew.floor_divide
Tensor.__rfloordiv__ = _reflected(_ew.floor_divide)
Tensor.__mod__ = Tensor.remainder = _ew.remainder
Tensor.__rmod__ = _reflected(_ew.remainder)
Tensor.__pow__ = Tensor.pow = _ew.pow
Tensor.__rpow__ = _reflected(_ew.pow)
Tensor.__neg__ = Tensor.neg = Tensor.negative = _ew.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = Tensor.abs = Tensor.absolute = _ew.abs
Tensor.__eq__ = Tensor.eq = _ew.eq
Tensor.__ne__ = Tensor.ne = _ew.ne
Tensor.__lt__ = Tensor.lt = Tensor.less = _ew.lt
Tensor.__le__ = Tensor.le = Tensor.less_equal = _ew.le
Tensor.__gt__ = Tensor.gt = Tensor.greater = _ew.gt
Tensor.__ge__ = Tensor.ge = Tensor.greater_equal = _ew.ge
Tensor.__and__ = Tensor.logical_and = _ew.logical_and
Tensor.__or__ = Tensor.logical_or = _ew.logical_or
Tensor.__xor__ = Tensor.logical_xor = _ew.logical_xor
Tensor.__invert__ = Tensor.logical_not = _ew.logical_not
Tensor.__hash__ = object.__hash__  # defining __eq__ above must not make tensors unhashable
for _name in ("exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh",
              "sigmoid", "relu", "erf", "square", "reciprocal", "log2", "log10", "exp2",
              "maximum", "minimum", "lerp", "clamp", "clone", "clip", "clamp_min", "clamp_max",
              "sign", "floor", "ceil", "trunc", "frac", "round", "isnan", "isinf", "isfinite",
              "signbit", "isclose", "allclose", "equal"):
    setattr(Tensor, _name, getattr(_ew, _name))
Tensor.where = lambda self, condition, other: _ew.where(condition, self, other)

Tensor.add_ = _ip._fast_binary(np.add, "add_", _ew.add)
Tensor.sub_ = _ip._fast_binary(np.subtract, "sub_", _ew.sub)
Tensor.mul_ = _ip._fast_binary(np.multiply, "mul_", _ew.mul)
Tensor.div_ = _ip._fast_binary(np.true_divide, "div_", _ew.div)
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_
Tensor.pow_ = lambda self, e: _ip.apply_inplace(self, "pow_", _ew.pow, e)
Tensor.clamp_ = lambda self, min=None, max=None: _ip.apply_inplace(
    self, "clamp_", lambda x: _ew.clamp(x, min, max))
Tensor.clip_ = Tensor.clamp_
Tensor.zero_ = _ip.zero_
Tensor.fill_ = _ip.fill_
Tensor.copy_ = _ip.copy_
Tensor.uniform_ = _ip.uniform_
Tensor.normal_ = _ip.normal_
Tensor.bernoulli_ = _ip.bernoulli_
for _name in ("exp", "log", "sqrt", "sigmoid", "tanh", "relu", "neg", "abs", "sin", "cos"):
    setattr(Tensor, _name + "_",
            (lambda f, n: lambda self: _ip.apply_inplace(self, n, f))(getattr(_ew, _name),
                                                                      _name + "_"))
Tensor.lerp_ = lambda self, end, weight: _ip.apply_inplace(
    self, "lerp_", lambda x, e: _ew.lerp(x, e, weight), end)

from .ops import reduce as _red, shape as _shp, index as _idx, linalg as _la, nn as _nn  # noqa
from .ops import sort as _srt  # noqa: E402

for _mod, _names in (
        (_red, ("sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "logsumexp",
                "norm", "cumsum", "cumprod", "argmax", "argmin", "all", "any",
                "count_nonzero")),
        (_shp, ("reshape", "view", "view_as", "reshape_as", "flatten", "unflatten", "squeeze",
                "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "movedim",
                "moveaxis", "expand", "expand_as", "broadcast_to", "repeat", "tile",
                "repeat_interleave", "flip", "fliplr", "flipud", "roll", "split", "chunk",
                "unbind", "narrow", "tensor_split")),
        (_idx, ("gather", "scatter", "scatter_add", "index_select", "masked_fill",
                "masked_select", "take_along_dim", "take", "nonzero", "argwhere")),
        (_la, ("matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "ger")),
        (_nn, ("softmax", "log_softmax")),
        (_srt, ("sort", "argsort", "topk", "tril", "triu"))):
    for _name in _names:
        setattr(Tensor, _name, getattr(_mod, _name))
Tensor.__matmul__ = _la.matmul
Tensor.__rmatmul__ = _reflected(_la.matmul)
Tensor.__getitem__ = _idx.getitem
Tensor.__setitem__ = _idx.setitem
Tensor.T = property(_shp._reverse_dims)
Tensor.mT = property(_shp._matrix_transpose)
Tensor.masked_fill_ = lambda self, mask, value: _ip.apply_inplace(
    self, "masked_fill_", lambda x: _idx.masked_fill(x, mask, value))
Tensor.scatter_ = lambda self, dim, index, src=None, *, value=None, reduce=None: \
    _ip.apply_inplace(self, "scatter_", lambda x: _idx.scatter(x, dim, index, src, value=value,
                                                               reduce=reduce))
Tensor.scatter_add_ = lambda self, dim, index, src: _ip.apply_inplace(
    self, "scatter_add_", lambda x, s: _idx.scatter_add(x, dim, index, s), src)
Tensor.index_fill_ = lambda self, dim, index, value: _ip.apply_inplace(
    self, "index_fill_", lambda x: _idx.index_put(
        x, (slice(None),) * _idx.normalize_dim(dim, x.ndim) + (index,), value))

from .ops import diag as _dg, arrange as _arr, stats as _st, cumulative as _cum  # noqa: E402
from .ops import distance as _dist, counting as _cnt, decomp as _dec, products as _prd  # noqa
for _mod, _names in (
        (_dg, ("diagonal", "diag_embed", "diag", "trace", "fill_diagonal_", "tril_", "triu_")),
        (_arr, ("cross", "kron", "rot90", "diff")),
        (_st, ("nansum", "nanmean", "median", "nanmedian", "kthvalue", "mode", "quantile",
               "nanquantile", "aminmax")),
        (_cum, ("cummax", "cummin", "logcumsumexp")),
        (_dist, ("dist",)),
        (_cnt, ("unique", "unique_consecutive", "bincount", "histc", "isin")),
        (_dec, ("inverse", "det", "logdet", "slogdet")),
        (_prd, ("addmv", "baddbmm", "addbmm"))):
    for _name in _names:
        setattr(Tensor, _name, getattr(_mod, _name))
Tensor.cholesky = _dec.cholesky_legacy
from .ops import spectral as _spec, lstsq as _lsq, matrix_exp as _mexp, lu as _lu  # noqa: E402
Tensor.svd = _spec.svd_legacy
Tensor.qr = _spec.qr_legacy
Tensor.pinverse = _lsq.pinverse
Tensor.matrix_exp = _mexp.matrix_exp
Tensor.lu = _lu.lu_legacy
from .ops import trig as _trig, special as _spc, pointwise as _pw  # noqa: E402

_UNARY_MATH = ("asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arcsin",
               "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg")
for _mod, _names in ((_trig, _UNARY_MATH + ("atan2", "arctan2", "hypot")),
                     (_spc, ("erfc", "erfinv", "logit", "xlogy", "logaddexp", "logaddexp2",
                             "nan_to_num", "sinc", "i0")),
                     (_pw, ("fmax", "fmin", "copysign", "float_power", "heaviside", "sgn",
                            "addcmul", "addcdiv"))):
    for _name in _names:
        setattr(Tensor, _name, getattr(_mod, _name))
for _mod, _names in ((_trig, _UNARY_MATH), (_spc, ("erfc", "erfinv", "sinc", "i0"))):
    for _name in _names:
        setattr(Tensor, _name + "_",
                (lambda f, n: lambda self: _ip.apply_inplace(self, n, f))(getattr(_mod, _name),
                                                                          _name + "_"))
for _mod, _name in ((_trig, "atan2"), (_trig, "arctan2"), (_trig, "hypot"), (_spc, "xlogy"),
                    (_pw, "copysign")):
    setattr(Tensor, _name + "_",
            (lambda f, n: lambda self, other: _ip.apply_inplace(self, n, f, other))(
                getattr(_mod, _name), _name + "_"))
Tensor.logit_ = lambda self, eps=None: _ip.apply_inplace(
    self, "logit_", lambda x: _spc.logit(x, eps))
Tensor.nan_to_num_ = lambda self, nan=0.0, posinf=None, neginf=None: _ip.apply_inplace(
    self, "nan_to_num_", lambda x: _spc.nan_to_num(x, nan, posinf, neginf))
Tensor.addcmul_ = lambda self, tensor1, tensor2, *, value=1: _ip.apply_inplace(
    self, "addcmul_", lambda x, a, b: _pw.addcmul(x, a, b, value=value), tensor1, tensor2)
Tensor.addcdiv_ = lambda self, tensor1, tensor2, *, value=1: _ip.apply_inplace(
    self, "addcdiv_", lambda x, a, b: _pw.addcdiv(x, a, b, value=value), tensor1, tensor2)


def _float_power_(self, exponent):
    if self._data.dtype != dtypes.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {self._data.dtype} but the "
                           f"operation's result requires dtype float64")
    return _ip.apply_inplace(self, "float_power_", _pw.float_power, exponent)


Tensor.float_power_ = _float_power_
