"""Registry entries: indexing (getitem, setitem, gather, scatter, index_select, masks, take).

The references are written as plain loops over positions (or NumPy's own indexing), so they
share no code with the ops they check.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd.ops import index as _index_ops
from ..registry import OpSpec, one_shape, register, shapes_with_empty
from ..strategies import Domain, advanced_indices, basic_indices, dims, index_expressions

FAMILY = "index"


def _reg(name, fn, ref, arity=1, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(Domain(),) * arity, **kw))


def _kw(**strategies):
    return st.fixed_dictionaries(strategies)


def as_key(key):
    """An index with its NumPy arrays turned into autograd tensors (what users pass)."""
    parts = key if isinstance(key, tuple) else (key,)
    out = tuple(autograd.tensor(k) if isinstance(k, np.ndarray) else k for k in parts)
    return out if isinstance(key, tuple) else out[0]


def _is_advanced(key):
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, np.ndarray) for k in parts)


# ---------------------------------------------------------------------- reading
_reg("getitem_basic", lambda x, key: x[key], lambda x, key: np.array(x[key]),
     kwargs=lambda s: _kw(key=basic_indices(s[0])), covers=("GetItem",), public=(),
     notes="ints, slices with any step, None, Ellipsis")
_reg("getitem_advanced", lambda x, key: x[as_key(key)], lambda x, key: np.array(x[key]),
     kwargs=lambda s: _kw(key=advanced_indices(s[0])), shapes=one_shape(min_dims=1),
     covers=("GetItem",), public=(),
     notes="integer tensors with repeated entries (their gradients accumulate), boolean masks "
           "and mixtures with slices and ints")
_reg("getitem_mixed_numpy_keys", lambda x, key: x[key], lambda x, key: np.array(x[key]),
     kwargs=lambda s: _kw(key=index_expressions(s[0])), shapes=one_shape(min_dims=1),
     covers=("GetItem",), public=())


@st.composite
def _add_into_zeros_setup(draw):
    shape = draw(shapes_with_empty(min_dims=1))
    key = draw(index_expressions(shape))
    nkey = _index_ops._normalize_key(key)
    return (np.zeros(shape)[nkey].shape,), {"shape": shape, "key": nkey}


def _add_into_zeros_ref(g, shape, key):
    out = np.zeros(shape)
    if _is_advanced(key):
        np.add.at(out, key, g)
    else:
        out[key] = g
    return out


_reg("index_add_into_zeros", lambda g, shape, key: _index_ops.IndexAddIntoZeros.apply(
        g, shape, key), _add_into_zeros_ref, setup=_add_into_zeros_setup(),
     covers=("IndexAddIntoZeros",), public=(),
     notes="the backward of GetItem, run as an op of its own")


# ---------------------------------------------------------------------- writing
@st.composite
def _setitem_setup(draw):
    shape = draw(shapes_with_empty(min_dims=1))
    key = draw(st.one_of(basic_indices(shape, allow_newaxis=False),
                         advanced_indices(shape, unique=True)))
    target = np.zeros(shape)[key].shape
    # the value may be missing leading dims or have size-1 dims (it broadcasts)
    cut = draw(st.integers(0, len(target)))
    vshape = tuple(1 if draw(st.booleans()) else n for n in target[cut:])
    return (shape, vshape), {"key": key}


def _setitem(x, v, key):
    y = x + 0.0  # a non-leaf copy: in-place writes on a leaf requiring grad are refused
    y[as_key(key)] = v
    return y


def _setitem_ref(x, v, key):
    out = x.copy()
    out[key] = v
    return out


_reg("setitem", _setitem, _setitem_ref, arity=2, setup=_setitem_setup(),
     covers=("IndexPut",), public=(),
     notes="unique integer indices: with repeats the written value is unspecified (PyTorch)")
_reg("index_put", lambda x, v, key: _index_ops.index_put(x, as_key(key), v), _setitem_ref,
     arity=2, setup=_setitem_setup(), covers=("IndexPut",), public=())


# ---------------------------------------------------------------------- gather and scatter
@st.composite
def _gather_setup(draw, with_src=False, unique=False):
    shape = draw(shapes_with_empty(min_dims=1))
    nd = len(shape)
    dim = draw(dims(nd))
    d = dim % nd
    ishape = tuple(draw(st.integers(0, 3)) if a == d else draw(st.integers(0, n))
                   for a, n in enumerate(shape))
    if unique:
        ishape = tuple(min(m, shape[d]) if a == d else m for a, m in enumerate(ishape))
    n = shape[d]
    if n == 0:
        ishape = tuple(0 if a == d else m for a, m in enumerate(ishape))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    if unique:
        index = np.zeros(ishape, np.int64)
        for pos in np.ndindex(*[m for a, m in enumerate(ishape) if a != d]):
            fiber = list(pos[:d]) + [slice(None)] + list(pos[d:])
            index[tuple(fiber)] = rng.permutation(n)[:ishape[d]]
    else:
        index = rng.integers(0, max(n, 1), size=ishape).astype(np.int64)
    shapes = (shape,)
    if with_src:
        shapes += (tuple(m + draw(st.integers(0, 1)) for m in ishape),)
    return shapes, {"dim": dim, "index": index}


def _target(pos, dim, index):
    t = list(pos)
    t[dim % len(pos)] = index[pos]
    return tuple(t)


def _gather_ref(x, dim, index):
    out = np.zeros(index.shape)
    for pos in np.ndindex(*index.shape):
        out[pos] = x[_target(pos, dim, index)]
    return out


def _scatter_add_ref(x, src, dim, index):
    out = x.copy()
    for pos in np.ndindex(*index.shape):
        out[_target(pos, dim, index)] += src[pos]
    return out


def _scatter_ref(x, src, dim, index):
    out = x.copy()
    for pos in np.ndindex(*index.shape):
        out[_target(pos, dim, index)] = src[pos]
    return out


def _scatter_value_ref(x, dim, index, value):
    out = x.copy()
    for pos in np.ndindex(*index.shape):
        out[_target(pos, dim, index)] = value
    return out


_reg("gather", lambda x, dim, index: autograd.gather(x, dim, autograd.tensor(index)),
     _gather_ref, setup=_gather_setup(), covers=("Gather",),
     notes="index may be smaller than the input along the other dims, as PyTorch allows")
_reg("scatter_add", lambda x, src, dim, index: autograd.scatter_add(
        x, dim, autograd.tensor(index), src), _scatter_add_ref, arity=2,
     setup=_gather_setup(with_src=True), covers=("ScatterAdd",),
     notes="repeated indices accumulate")
_reg("scatter", lambda x, src, dim, index: autograd.scatter(x, dim, autograd.tensor(index), src),
     _scatter_ref, arity=2, setup=_gather_setup(with_src=True, unique=True), covers=("Scatter",),
     notes="unique indices per fiber: with repeats the written value is unspecified (PyTorch)")
_reg("scatter_value", lambda x, dim, index, value: autograd.scatter(
        x, dim, autograd.tensor(index), value=value), _scatter_value_ref,
     setup=_gather_setup(unique=True).map(lambda sk: (sk[0], {**sk[1], "value": 1.5})),
     covers=("Scatter",), public=())


@st.composite
def _scatter_add_into_zeros_setup(draw):
    (shape,), kw = draw(_gather_setup())
    return (kw["index"].shape,), {"shape": shape, "dim": kw["dim"] % len(shape),
                                  "index": kw["index"]}


def _scatter_add_into_zeros_ref(g, shape, dim, index):
    return _scatter_add_ref(np.zeros(shape), g, dim, index)


_reg("scatter_add_into_zeros", lambda g, shape, dim, index:
     _index_ops.ScatterAddIntoZeros.apply(g, shape, dim, index), _scatter_add_into_zeros_ref,
     setup=_scatter_add_into_zeros_setup(), covers=("ScatterAddIntoZeros",), public=(),
     notes="the backward of Gather, run as an op of its own")


# ---------------------------------------------------------------------- selections
@st.composite
def _index_select_setup(draw):
    shape = draw(shapes_with_empty(min_dims=1))
    dim = draw(dims(len(shape)))
    n = shape[dim]
    index = np.array(draw(st.lists(st.integers(0, n - 1), max_size=4)) if n else [], np.int64)
    return (shape,), {"dim": dim, "index": index}


_reg("index_select", lambda x, dim, index: autograd.index_select(x, dim, autograd.tensor(index)),
     lambda x, dim, index: np.take(x, index, axis=dim), setup=_index_select_setup(),
     covers=("GetItem",), notes="repeated indices accumulate")


@st.composite
def _mask_setup(draw):
    shape = draw(shapes_with_empty())
    cut = draw(st.integers(0, len(shape)))
    mshape = tuple(1 if draw(st.booleans()) else n for n in shape[cut:])
    return (shape,), {"mask": draw(hnp.arrays(np.bool_, mshape))}


_reg("masked_fill", lambda x, mask: autograd.masked_fill(x, autograd.tensor(mask), -1.5),
     lambda x, mask: np.where(mask, -1.5, x), setup=_mask_setup(), covers=("Where",))
_reg("masked_select", lambda x, mask: autograd.masked_select(x, autograd.tensor(mask)),
     lambda x, mask: np.broadcast_to(x, np.broadcast_shapes(x.shape, mask.shape))[
         np.broadcast_to(mask, np.broadcast_shapes(x.shape, mask.shape))],
     setup=_mask_setup(), covers=("GetItem",))


@st.composite
def _take_along_setup(draw):
    shape = draw(shapes_with_empty(min_dims=1))
    dim = draw(dims(len(shape)))
    d = dim % len(shape)
    ishape = tuple(draw(st.integers(0, 3)) if a == d else draw(st.sampled_from([1, n]))
                   for a, n in enumerate(shape))
    n = shape[d]
    if n == 0:
        ishape = tuple(0 if a == d else m for a, m in enumerate(ishape))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    return (shape,), {"indices": rng.integers(0, max(n, 1), size=ishape), "dim": dim}


_reg("take_along_dim", lambda x, indices, dim: autograd.take_along_dim(
        x, autograd.tensor(indices), dim),
     lambda x, indices, dim: np.take_along_axis(x, indices, axis=dim),
     setup=_take_along_setup(), covers=("Gather",))


@st.composite
def _flat_index_setup(draw):
    shape = draw(shapes_with_empty())
    size = int(np.prod(shape, dtype=np.int64))
    ishape = draw(shapes_with_empty(max_dims=2)) if size else (0,)
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    return (shape,), {"index": rng.integers(0, max(size, 1), size=ishape)}


_reg("take_along_dim_flat", lambda x, index: autograd.take_along_dim(x, autograd.tensor(index)),
     lambda x, index: x.reshape(-1)[index.reshape(-1)], setup=_flat_index_setup(),
     covers=("GetItem",), public=())
_reg("take", lambda x, index: autograd.take(x, autograd.tensor(index)),
     lambda x, index: x.reshape(-1)[index], setup=_flat_index_setup(), covers=("GetItem",))


# ---------------------------------------------------------------------- order and triangles
_DISTINCT = Domain(-3.0, 3.0, distinct=0.05)  # ties are kinks of sort and topk


def _sort_ref(x, dim, descending):
    if x.ndim == 0:
        return x, np.zeros((), np.int64)
    order = np.argsort(-x if descending else x, axis=dim)
    return np.take_along_axis(x, order, dim), order.astype(np.int64)


def _topk_setup():
    def kwargs(shapes):
        shape = shapes[0]
        return dims(len(shape)).flatmap(lambda d: st.fixed_dictionaries({
            "dim": st.just(d), "largest": st.booleans(),
            "k": st.integers(0, shape[d] if shape else 1)}))
    return kwargs


def _topk_ref(x, k, dim, largest):
    if x.ndim == 0:
        return x, np.zeros((), np.int64)
    order = np.argsort(-x if largest else x, axis=dim)
    order = np.take(order, np.arange(k), axis=dim)
    return np.take_along_axis(x, order, dim), order.astype(np.int64)


register(OpSpec("sort", lambda x, dim, descending: tuple(autograd.sort(x, dim, descending)),
                _sort_ref, FAMILY, domains=(_DISTINCT,), shapes=one_shape(empty=False),
                kwargs=lambda s: _kw(dim=dims(len(s[0])), descending=st.booleans()),
                covers=("Gather",), notes="distinct values: ties are kinks"))
register(OpSpec("topk", lambda x, k, dim, largest: tuple(autograd.topk(x, k, dim, largest)),
                _topk_ref, FAMILY, domains=(_DISTINCT,), shapes=one_shape(empty=False),
                kwargs=_topk_setup(), covers=("Gather",), notes="distinct values: ties are kinks"))
_reg("tril", lambda x, diagonal: autograd.tril(x, diagonal), lambda x, diagonal: np.tril(
        x, diagonal), shapes=one_shape(min_dims=2), kwargs=lambda s: _kw(
        diagonal=st.integers(-3, 3)), covers=("Tril",))
_reg("triu", lambda x, diagonal: autograd.triu(x, diagonal), lambda x, diagonal: np.triu(
        x, diagonal), shapes=one_shape(min_dims=2), kwargs=lambda s: _kw(
        diagonal=st.integers(-3, 3)), covers=("Triu",))
