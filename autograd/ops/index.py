"""Indexing: `x[key]`, `x[key] = v`, gather/scatter, index_select, masked_fill, take_along_dim.

Reading with repeated integer indices sends each copy's gradient back to the same element, so
the backward of an advanced index accumulates (`np.add.at`); basic slicing assigns.
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor, _make
from ._util import as_tensor_operand, dual, normalize_dim, promote, unbroadcast
from .elementwise import where


def _normalize_key(key):
    """Tensors in the key become arrays; lists become integer or bool arrays."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(k, list):
            k = np.asarray(k)
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        out.append(k)
    return tuple(out)


def _is_advanced(key):
    return any(isinstance(k, np.ndarray) for k in key)


def _checked(fn, x_shape, key):
    try:
        return fn()
    except IndexError as e:
        raise IndexError(f"{e} (indexing a tensor of shape {tuple(x_shape)})") from None


# ---------------------------------------------------------------------- reading
class GetItem(Op):
    """z = x[key].   gx = zeros(x.shape) with g added at key (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.args = (x.shape, key)
        return _checked(lambda: x[key], x.shape, key)

    @staticmethod
    def backward(ctx, g):
        shape, key = ctx.args
        return _index_add_into_zeros(g, shape, key), None


class IndexAddIntoZeros(Op):
    """z = zeros(shape); z[key] += g.   gg = gz[key]  (the backward of GetItem)."""

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        return _scatter_array(g, shape, key)

    @staticmethod
    def backward(ctx, gz):
        return gz[ctx.key], None, None


def _scatter_array(g, shape, key):
    out = np.zeros(shape, g.dtype)
    if _is_advanced(key):
        np.add.at(out, key, g)
    else:
        out[key] = g
    return out


_index_add_into_zeros = dual(lambda t, shape, key: IndexAddIntoZeros.apply(t, shape, key),
                             _scatter_array)


def getitem(input, key):
    """`input[key]` with ints, slices (any step), None, Ellipsis, integer arrays/tensors
    (repeated indices accumulate in backward), bool masks, and mixtures."""
    key = _normalize_key(key)
    out = GetItem.apply(input, key)
    if not _is_advanced(key) and out._data.base is not None:
        out._base = input  # a basic index is a view
    return out


# ---------------------------------------------------------------------- writing
class IndexPut(Op):
    """z = x with z[key] = v.   gx = g with zeros at key,  gv = g[key] summed to v's shape."""

    @staticmethod
    def forward(ctx, x, v, key):
        out = x.copy()
        _checked(lambda: out.__setitem__(key, v), x.shape, key)
        keep = np.ones(x.shape, bool)
        keep[key] = False
        ctx.args = (keep, key, np.shape(v))
        return out

    @staticmethod
    def backward(ctx, g):
        keep, key, v_shape = ctx.args
        nx, nv = ctx.needs_input_grad[:2]
        gx = g * keep if nx else None
        gv = unbroadcast(g[key], v_shape) if nv else None
        return gx, gv, None


def index_put(input, key, value):
    """Out-of-place `input[key] = value` (what `__setitem__` records)."""
    key = _normalize_key(key)
    value = as_tensor_operand(value)
    if isinstance(value, Tensor) and value.dtype != input.dtype:
        value = value.to(input.dtype)
    return IndexPut.apply(input, value, key)


def setitem(self, key, value):
    """`self[key] = value`, in place (see autograd/inplace.py for how it is recorded)."""
    from ..inplace import apply_inplace, _needs_recording, _bump
    value = as_tensor_operand(value)
    if not _needs_recording(self, value):
        nkey = _normalize_key(key)
        v = value._data if isinstance(value, Tensor) else value
        _checked(lambda: self._data.__setitem__(nkey, v), self.shape, nkey)
        _bump(self, "setitem")
        return
    apply_inplace(self, "setitem", lambda old, v: index_put(old, key, v), value)


# ---------------------------------------------------------------------- gather and scatter
def _check_index(index, input, dim, op):
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != input._data.ndim and not (idx.ndim <= 1 and input._data.ndim <= 1):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index shape {tuple(idx.shape)}, input shape "
                           f"{tuple(input.shape)})")
    n = input._data.shape[dim] if input._data.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"{op}(): index {int(bad)} is out of bounds for dimension {dim} with "
                         f"size {n}")
    return idx


def _full_index(idx, dim):
    """Integer arrays that address every position of `idx` along all axes, with `idx` along dim."""
    grids = list(np.indices(idx.shape, sparse=True))
    grids[dim] = idx
    return tuple(grids)


class Gather(Op):
    """z[i][j] = x[i][index[i][j]] (for dim=1).   gx = zeros with g added at the gathered spots."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.args = (x.shape, dim, index)
        return x[_full_index(index, dim)]

    @staticmethod
    def backward(ctx, g):
        shape, dim, index = ctx.args
        return _scatter_add_into_zeros(g, shape, dim, index), None, None


class ScatterAddIntoZeros(Op):
    """z = zeros(shape); z[index along dim] += g.   gg = gather(gz, dim, index)."""

    @staticmethod
    def forward(ctx, g, shape, dim, index):
        ctx.args = (dim, index)
        out = np.zeros(shape, g.dtype)
        np.add.at(out, _full_index(index, dim), g)
        return out

    @staticmethod
    def backward(ctx, gz):
        dim, index = ctx.args
        return Gather.apply(gz, dim, index) if isinstance(gz, Tensor) else \
            gz[_full_index(index, dim)], None, None, None


def _scatter_add_zeros_array(g, shape, dim, index):
    out = np.zeros(shape, g.dtype)
    np.add.at(out, _full_index(index, dim), g)
    return out


_scatter_add_into_zeros = dual(
    lambda t, shape, dim, index: ScatterAddIntoZeros.apply(t, shape, dim, index),
    _scatter_add_zeros_array)
_gather = dual(lambda t, dim, index: Gather.apply(t, dim, index),
               lambda a, dim, index: a[_full_index(index, dim)])


def gather(input, dim, index):
    """Values of `input` picked along `dim` by `index` (same ndim as input)."""
    d = normalize_dim(dim, input._data.ndim, "gather")
    idx = _check_index(index, input, d, "gather")
    if input._data.ndim == 0:
        return input
    for a in range(idx.ndim):
        if a != d and idx.shape[a] > input._data.shape[a]:
            raise RuntimeError(f"gather(): Size does not match at dimension {a} expected index "
                               f"{tuple(idx.shape)} to be smaller than self {tuple(input.shape)} "
                               f"apart from dimension {d}")
    return Gather.apply(input, d, idx)


class ScatterAdd(Op):
    """z = x; z[index along dim] += src.   gx = g,  gsrc = gather(g, dim, index)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.args = (dim, index)
        out = x.copy()
        np.add.at(out, _full_index(index, dim), src[tuple(slice(0, n) for n in index.shape)])
        ctx.src_shape = src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        dim, index = ctx.args
        nx, _, _, ns = ctx.needs_input_grad
        gsrc = None
        if ns:
            picked = _gather(g, dim, index)
            gsrc = _pad_to(picked, ctx.src_shape)
        return (g if nx else None), None, None, gsrc


class Scatter(Op):
    """z = x; z[index along dim] = src.   gx = g with zeros where written,  gsrc = gather(g)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.args = (dim, index)
        out = x.copy()
        where_ = _full_index(index, dim)
        if isinstance(src, np.ndarray):
            out[where_] = src[tuple(slice(0, n) for n in index.shape)]
            ctx.src_shape = src.shape
        else:
            out[where_] = src
            ctx.src_shape = None
        keep = np.ones(x.shape, bool)
        keep[where_] = False
        ctx.keep = keep
        return out

    @staticmethod
    def backward(ctx, g):
        dim, index = ctx.args
        nx, _, _, ns = ctx.needs_input_grad
        gx = g * ctx.keep if nx else None
        gsrc = _pad_to(_gather(g, dim, index), ctx.src_shape) if ns else None
        return gx, None, None, gsrc


def _pad_to(g, shape):
    if g.shape == shape:
        return g
    from .shape import pad
    widths = []
    for have, want in reversed(list(zip(g.shape, shape))):
        widths += [0, want - have]
    if isinstance(g, Tensor):
        return pad(g, widths)
    return np.pad(g, [(0, w - h) for h, w in zip(g.shape, shape)])


def scatter_add(input, dim, index, src):
    d = normalize_dim(dim, input._data.ndim, "scatter_add")
    idx = _check_index(index, input, d, "scatter_add")
    input, src = promote(input, src)
    return ScatterAdd.apply(input, d, idx, src)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """`input` with `src` (or `value`) written at `index` along `dim`."""
    if reduce is not None:
        if reduce == "add":
            return scatter_add(input, dim, index, src)
        raise NotImplementedError(f"scatter(): reduce={reduce!r} is not supported")
    d = normalize_dim(dim, input._data.ndim, "scatter")
    idx = _check_index(index, input, d, "scatter")
    if src is None:
        src = value
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        src = src.to(input.dtype)
    return Scatter.apply(input, d, idx, src)


def index_select(input, dim, index):
    d = normalize_dim(dim, input._data.ndim, "index_select")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape "
                         f"{tuple(idx.shape)}")
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"index_select(): index {int(bad)} is out of bounds for dimension "
                         f"{d} with size {n}")
    return getitem(input, (slice(None),) * d + (idx.reshape(-1),))


def masked_fill(input, mask, value):
    """`input` with `value` where `mask` (broadcast) is True."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype "
                           f"{m.dtype}")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s)")
    out = where(_make(m, None), value, input)
    if out.dtype != input.dtype:
        out = out.to(input.dtype)
    if out.shape != input.shape:
        raise RuntimeError(f"masked_fill: mask of shape {tuple(m.shape)} is not broadcastable "
                           f"to the input shape {tuple(input.shape)}")
    return out


def masked_select(input, mask):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    from .shape import broadcast_to
    shape = np.broadcast_shapes(input.shape, m.shape)
    return getitem(broadcast_to(input, shape), np.broadcast_to(m, shape))


def take_along_dim(input, indices, dim=None):
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if dim is None:
        from .shape import flatten
        return getitem(flatten(input), idx.reshape(-1))
    from .shape import broadcast_to
    d = normalize_dim(dim, input._data.ndim, "take_along_dim")
    shape_x = list(input.shape)
    shape_i = list(idx.shape)
    shape_x[d] = shape_i[d] = 1
    common = list(np.broadcast_shapes(tuple(shape_x), tuple(shape_i)))
    xs = common.copy()
    xs[d] = input.shape[d]
    ish = common.copy()
    ish[d] = idx.shape[d]
    return gather(broadcast_to(input, tuple(xs)), d, np.broadcast_to(idx, tuple(ish)))


def take(input, index):
    from .shape import flatten
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    return getitem(flatten(input), idx)


def nonzero(input, as_tuple=False):
    nz = np.nonzero(input._data)
    if as_tuple:
        return tuple(_make(a.astype(np.int64), None) for a in nz)
    return _make(np.stack(nz, axis=1).astype(np.int64), None)


def argwhere(input):
    return nonzero(input)
