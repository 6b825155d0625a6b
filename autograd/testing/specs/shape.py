"""Registry entries: shape ops (reshape, squeeze, permute, expand, tile, flip, roll, cat, ...)."""
import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, one_shape, register, shapes_with_empty
from ..strategies import Domain, dim_lists, dims

FAMILY = "shape"


def _reg(name, fn, ref, kwargs=None, shapes=None, arity=1, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(Domain(),) * arity, kwargs=kwargs,
                    shapes=shapes, **kw))


def _kw(**strategies):
    return st.fixed_dictionaries(strategies)


# ---------------------------------------------------------------------- reshape family
@st.composite
def _new_shape(draw, shape):
    """A shape with as many elements as `shape`, sometimes written with one -1."""
    size = int(np.prod(shape, dtype=np.int64))
    options = [(size,), (1, size), (size, 1), tuple(reversed(shape)), shape + (1,), (1,) + shape]
    new = draw(st.sampled_from(options))
    if size and new and draw(st.booleans()):
        k = draw(st.integers(0, len(new) - 1))
        new = new[:k] + (-1,) + new[k + 1:]
    return new


_reg("reshape", lambda x, shape: autograd.reshape(x, shape), lambda x, shape: x.reshape(shape),
     kwargs=lambda s: _kw(shape=_new_shape(s[0])), covers=("Reshape",))
_reg("view", lambda x, shape: x.view(*shape), lambda x, shape: x.reshape(shape),
     kwargs=lambda s: _kw(shape=_new_shape(s[0])), covers=("Reshape",), public=())


def _flatten_kwargs(shapes):
    nd = len(shapes[0])
    if nd == 0:
        return _kw(start_dim=st.just(0), end_dim=st.just(-1))
    return st.tuples(dims(nd), dims(nd)).map(
        lambda ab: {"start_dim": min(ab, key=lambda d: d % nd),
                    "end_dim": max(ab, key=lambda d: d % nd)})


def _flatten_ref(x, start_dim, end_dim):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape(x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


_reg("flatten", lambda x, start_dim, end_dim: autograd.flatten(x, start_dim, end_dim),
     _flatten_ref, kwargs=_flatten_kwargs, covers=("Reshape",))


def _unflatten_kwargs(shapes):
    shape = shapes[0]
    return dims(len(shape)).map(lambda d: {"dim": d, "sizes": (1, shape[d], 1)})


_reg("unflatten", lambda x, dim, sizes: autograd.unflatten(x, dim, sizes),
     lambda x, dim, sizes: x.reshape(x.shape[:dim % x.ndim] + sizes + x.shape[dim % x.ndim + 1:]),
     kwargs=_unflatten_kwargs, shapes=one_shape(min_dims=1), covers=("Reshape",))


def _squeeze_ref(x, dim):
    if dim is None:
        return np.squeeze(x)
    if x.ndim == 0:
        return x
    dims_ = (dim,) if isinstance(dim, int) else dim
    axes = tuple(d % x.ndim for d in dims_ if x.shape[d % x.ndim] == 1)
    return np.squeeze(x, axis=axes)


_reg("squeeze", lambda x, dim: autograd.squeeze(x, dim), _squeeze_ref,
     kwargs=lambda s: _kw(dim=dims(len(s[0]), allow_none=True)) if s[0] else _kw(dim=st.none()),
     shapes=one_shape(max_side=2), covers=("Reshape",))
_reg("unsqueeze", lambda x, dim: autograd.unsqueeze(x, dim),
     lambda x, dim: np.expand_dims(x, dim % (x.ndim + 1)),
     kwargs=lambda s: _kw(dim=st.integers(-len(s[0]) - 1, len(s[0]))), covers=("Reshape",))

# ---------------------------------------------------------------------- axis order
_reg("permute", lambda x, perm: autograd.permute(x, perm), lambda x, perm: np.transpose(x, perm),
     kwargs=lambda s: _kw(perm=st.permutations(range(len(s[0]))).map(tuple)),
     shapes=one_shape(min_dims=2), covers=("Permute",))
_reg("transpose", lambda x, a, b: autograd.transpose(x, a, b),
     lambda x, a, b: np.swapaxes(x, a, b), covers=("Permute",),
     kwargs=lambda s: _kw(a=dims(len(s[0])), b=dims(len(s[0]))),
     shapes=one_shape(min_dims=1), public=("transpose", "swapaxes", "swapdims"))
_reg("movedim", lambda x, a, b: autograd.movedim(x, a, b), lambda x, a, b: np.moveaxis(x, a, b),
     kwargs=lambda s: _kw(a=dims(len(s[0])), b=dims(len(s[0]))),
     shapes=one_shape(min_dims=1), covers=("Permute",), public=("movedim", "moveaxis"))
_reg("t", autograd.t, lambda x: x.T, shapes=one_shape(max_dims=2, min_dims=2),
     covers=("Permute",))
_reg("T_property", lambda x: x.T, lambda x: x.T, covers=("Permute",), public=(),
     shapes=one_shape(min_dims=2))
_reg("mT_property", lambda x: x.mT, lambda x: np.swapaxes(x, -1, -2), covers=("Permute",),
     public=(), shapes=one_shape(min_dims=2))


# ---------------------------------------------------------------------- broadcasting
@st.composite
def _expanded_shape(draw, shape):
    """A shape `shape` broadcasts to: size-1 dims grown, maybe new leading dims."""
    grown = tuple(draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    lead = tuple(draw(st.lists(st.integers(0, 2), max_size=2)))
    return lead + grown


_reg("broadcast_to", lambda x, shape: autograd.broadcast_to(x, shape),
     lambda x, shape: np.broadcast_to(x, shape).copy(),
     kwargs=lambda s: _kw(shape=_expanded_shape(s[0])), shapes=one_shape(max_side=2),
     covers=("Expand",))
_reg("expand", lambda x, shape: x.expand(*shape), lambda x, shape: np.broadcast_to(x, shape).copy(),
     kwargs=lambda s: _kw(shape=_expanded_shape(s[0])), shapes=one_shape(max_side=2),
     covers=("Expand",))
_reg("expand_minus_one", lambda x, lead: x.expand(*((lead,) + (-1,) * x.ndim)),
     lambda x, lead: np.broadcast_to(x, (lead,) + x.shape).copy(),
     kwargs=lambda s: _kw(lead=st.integers(1, 3)), covers=("Expand",), public=())
_reg("expand_as", lambda x, other: x.expand_as(autograd.zeros(other)),
     lambda x, other: np.broadcast_to(x, other).copy(),
     kwargs=lambda s: _kw(other=_expanded_shape(s[0])), shapes=one_shape(max_side=2),
     covers=("Expand",), public=())
_reg("broadcast_tensors", autograd.broadcast_tensors,
     lambda a, b: tuple(x.copy() for x in np.broadcast_arrays(a, b)), arity=2,
     covers=("Expand",))


def _reps(shape, at_least):
    return st.lists(st.integers(1, 2), min_size=at_least, max_size=at_least + 1).map(tuple)


_reg("repeat", lambda x, reps: x.repeat(*reps) if reps else x.repeat(()),
     lambda x, reps: np.tile(x, reps) if len(reps) >= x.ndim else None,
     kwargs=lambda s: _kw(reps=_reps(s[0], len(s[0]))), covers=("Tile",), public=())
_reg("tile", lambda x, reps: autograd.tile(x, reps), lambda x, reps: np.tile(x, reps),
     kwargs=lambda s: _kw(reps=st.lists(st.integers(1, 2), max_size=3).map(tuple)),
     covers=("Tile",))
_reg("repeat_interleave", lambda x, repeats, dim: autograd.repeat_interleave(x, repeats, dim),
     lambda x, repeats, dim: np.repeat(x, repeats, axis=dim),
     kwargs=lambda s: _kw(repeats=st.integers(0, 2),
                          dim=dims(len(s[0])) if s[0] else st.none()),
     covers=("GetItem",))

# ---------------------------------------------------------------------- reordering
_reg("flip", lambda x, dims_: autograd.flip(x, dims_), lambda x, dims_: np.flip(
        x, tuple(d % x.ndim for d in dims_)) if x.ndim else x,
     kwargs=lambda s: _kw(dims_=dim_lists(len(s[0]))), covers=("Flip",))
_reg("fliplr", autograd.fliplr, np.fliplr, shapes=one_shape(min_dims=2), covers=("Flip",))
_reg("flipud", autograd.flipud, np.flipud, shapes=one_shape(min_dims=1), covers=("Flip",))


def _roll_kwargs(shapes):
    nd = len(shapes[0])
    if nd == 0:
        return _kw(shifts=st.integers(-3, 3), dims_=st.none())
    return st.one_of(
        _kw(shifts=st.integers(-4, 4), dims_=st.none()),
        dim_lists(nd).flatmap(lambda ds: _kw(
            shifts=st.tuples(*[st.integers(-4, 4)] * len(ds)), dims_=st.just(ds))))


_reg("roll", lambda x, shifts, dims_: autograd.roll(x, shifts, dims_),
     lambda x, shifts, dims_: np.roll(x, shifts, dims_), kwargs=_roll_kwargs, covers=("Roll",))


# ---------------------------------------------------------------------- joining
@st.composite
def _cat_shapes(draw, n, along=None):
    """`n` shapes equal but along one dim (`along`, or 0 for 1-D shapes; random if None)."""
    base = list(draw(shapes_with_empty(min_dims=1)))
    d = draw(st.integers(0, len(base) - 1)) if along is None else min(along, len(base) - 1)
    out = []
    for _ in range(n):
        s = list(base)
        s[d] = draw(st.integers(0, 3))
        out.append(tuple(s))
    return tuple(out)


def _cat_kwargs(shapes):
    # the axis along which the shapes differ, written either way (any axis when all equal)
    nd = len(shapes[0])
    differ = [a for a in range(nd) if len({s[a] for s in shapes}) > 1]
    if not differ:
        return _kw(dim=dims(nd))
    return _kw(dim=st.sampled_from(differ + [a - nd for a in differ]))


for _n in (2, 3):
    _reg(f"cat{_n}", lambda *xs, dim: autograd.cat(xs, dim),
         lambda *xs, dim: np.concatenate(xs, axis=dim), arity=_n, shapes=_cat_shapes(_n),
         kwargs=_cat_kwargs, covers=("Cat",), public=("cat", "concat", "concatenate"))
    _reg(f"stack{_n}", lambda *xs, dim: autograd.stack(xs, dim),
         lambda *xs, dim: np.stack(xs, axis=dim % (xs[0].ndim + 1)), arity=_n,
         shapes=shapes_with_empty().map(lambda s, n=_n: (s,) * n),
         kwargs=lambda s: _kw(dim=st.integers(-len(s[0]) - 1, len(s[0]))), covers=("Stack",),
         public=("stack",))
_reg("hstack", lambda a, b: autograd.hstack([a, b]), lambda a, b: np.hstack([a, b]), arity=2,
     shapes=_cat_shapes(2, along=1), covers=("Cat",))
_reg("vstack", lambda a, b: autograd.vstack([a, b]), lambda a, b: np.vstack([a, b]), arity=2,
     shapes=st.integers(1, 3).flatmap(lambda n: st.tuples(
         st.sampled_from([(n,), (1, n), (2, n)]), st.sampled_from([(n,), (3, n)]))),
     covers=("Cat",))


# ---------------------------------------------------------------------- splitting
def _split_kwargs(shapes):
    nd = len(shapes[0])
    return dims(nd).flatmap(lambda d: st.one_of(
        _kw(split=st.integers(1, 3), dim=st.just(d)),
        st.lists(st.integers(0, 2), min_size=1, max_size=3).map(
            lambda ps, d=d, n=shapes[0][d]: {"split": _sizes(ps, n), "dim": d})))


def _sizes(parts, n):
    sizes = [min(p, n) for p in parts]
    rest = n - sum(sizes)
    if rest < 0:
        sizes = [n] + [0] * (len(parts) - 1)
        rest = 0
    sizes[-1] += rest
    return sizes


def _split_ref(x, split, dim):
    n = x.shape[dim]
    if n == 0 and isinstance(split, int):
        return (x.copy(),)
    if isinstance(split, int):
        bounds = list(range(split, n, split))
    else:
        bounds = list(np.cumsum(split)[:-1])
    return tuple(np.split(x, bounds, axis=dim))


_reg("split", lambda x, split, dim: autograd.split(x, split, dim), _split_ref,
     kwargs=_split_kwargs, covers=("GetItem",), shapes=one_shape(min_dims=1))


def _chunk_ref(x, chunks, dim):
    n = x.shape[dim]
    if n == 0:
        return (x.copy(),) * chunks  # PyTorch's rule: `chunks` empty pieces
    return _split_ref(x, -(-n // chunks), dim)


_reg("chunk", lambda x, chunks, dim: autograd.chunk(x, chunks, dim), _chunk_ref,
     kwargs=lambda s: _kw(chunks=st.integers(1, 4), dim=dims(len(s[0]))),
     shapes=one_shape(min_dims=1), covers=("GetItem",))
_reg("tensor_split", lambda x, k, dim: autograd.tensor_split(x, k, dim),
     lambda x, k, dim: tuple(np.array_split(x, k, axis=dim)),
     kwargs=lambda s: _kw(k=st.integers(1, 4), dim=dims(len(s[0]))),
     shapes=one_shape(min_dims=1), covers=("GetItem",))
_reg("unbind", lambda x, dim: autograd.unbind(x, dim),
     lambda x, dim: tuple(np.moveaxis(x, dim, 0)),
     kwargs=lambda s: _kw(dim=dims(len(s[0]))), shapes=one_shape(min_dims=1),
     covers=("GetItem",))


def _narrow_kwargs(shapes):
    shape = shapes[0]
    return dims(len(shape)).flatmap(lambda d: st.integers(0, shape[d]).flatmap(
        lambda start: _kw(dim=st.just(d), start=st.just(start),
                          length=st.integers(0, shape[d] - start))))


_reg("narrow", lambda x, dim, start, length: autograd.narrow(x, dim, start, length),
     lambda x, dim, start, length: np.take(x, range(start, start + length), axis=dim),
     kwargs=_narrow_kwargs, shapes=one_shape(min_dims=1, empty=False), covers=("GetItem",))


# ---------------------------------------------------------------------- padding
def _pad_kwargs(shapes):
    nd = len(shapes[0])
    return st.integers(0, nd).flatmap(lambda k: _kw(
        pad=st.lists(st.integers(0, 2), min_size=2 * k, max_size=2 * k).map(tuple),
        value=st.sampled_from([0.0, 1.5])))


def _pad_ref(x, pad, value):
    if x.ndim == 0:
        return x.copy()
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return np.pad(x, widths, constant_values=value)


_reg("pad", lambda x, pad, value: autograd.pad(x, pad, value=value), _pad_ref,
     kwargs=_pad_kwargs, covers=("Pad",))


def _crop_kwargs(shapes):
    shape = shapes[0]
    return st.tuples(*[st.tuples(st.integers(-(n // 2), 1), st.integers(-(n // 2), 1))
                       for n in reversed(shape)]).map(
        lambda pairs: {"pad": tuple(w for pair in pairs for w in pair)})


def _crop_ref(x, pad):
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    sl = tuple(slice(-a if a < 0 else 0, n + b if b < 0 else n)
               for (a, b), n in zip(widths, x.shape))
    return np.pad(x[sl], [(max(a, 0), max(b, 0)) for a, b in widths])


_reg("pad_negative_crops", lambda x, pad: autograd.pad(x, pad), _crop_ref, kwargs=_crop_kwargs,
     shapes=one_shape(min_dims=1), covers=("Pad",), public=())
