"""Registry entries: the gamma family, ldexp/frexp, out-of-place writes (index_add, ...,
scatter_reduce, *_scatter), strided views (unfold, as_strided), splits, and the matrix helpers
(addr, vdot, matrix_power, cov, corrcoef, renorm, prelu, hardshrink).

References are loops over positions, `math`-module functions or plain NumPy formulas; the
digamma and polygamma references sum the defining series directly (a thousand terms plus the
integral of the rest), sharing no code with the ops.
"""
import math

import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, one_shape, register
from ..strategies import Domain, dims, shapes as any_shapes

POSITIVE = Domain(0.2, 5.0)
NEGATIVE = Domain(-2.8, -0.2, avoid=(-1.0, -2.0), gap=0.2)
NONZERO = Domain(-3.0, 3.0, avoid=(0.0,), gap=0.3)
# fractional windows far apart: an element of one never comes within 0.1 of one of the other
LOW, HIGH = Domain(-3.0, 3.0, window=(0.05, 0.45)), Domain(-3.0, 3.0, window=(0.55, 0.95))


def _kw(**strategies):
    return st.fixed_dictionaries(strategies)


def _t(a):
    return autograd.tensor(a)


# ---------------------------------------------------------------------- gamma family
_lgamma_ref = np.vectorize(math.lgamma, otypes=[np.float64])


def _hurwitz(s, x, terms=1000):
    """zeta(s, x) = sum_k (x + k)**-s, s > 1: the first `terms` summed, the rest by
    Euler-Maclaurin (integral, half the first left-out term, one derivative correction)."""
    x = np.asarray(x, np.float64)
    total = sum((x + k) ** -s for k in range(terms))
    z = x + terms
    return total + z ** (1 - s) / (s - 1) + 0.5 * z ** -s + s * z ** (-s - 1) / 12


def _digamma_ref(x, terms=1000):
    x = np.asarray(x, np.float64)
    z = x + terms
    total = -sum(1.0 / (x + k) for k in range(terms))
    return total + np.log(z) - 0.5 / z - 1.0 / (12 * z * z) + 1.0 / (120 * z ** 4)


def _polygamma_ref(x, n):
    return (-1) ** (n + 1) * math.factorial(n) * _hurwitz(n + 1, x)


def _mvlgamma_ref(x, p):
    return math.log(math.pi) * p * (p - 1) / 4 + sum(_lgamma_ref(x - j / 2) for j in range(p))


register(OpSpec("lgamma", autograd.lgamma, _lgamma_ref, "elementwise", domains=(POSITIVE,),
                covers=("Lgamma",)))
register(OpSpec("lgamma_negative", autograd.lgamma, _lgamma_ref, "elementwise",
                domains=(NEGATIVE,), covers=("Lgamma",), public=(),
                notes="the reflection formula, kept clear of the poles"))
register(OpSpec("digamma", autograd.digamma, _digamma_ref, "elementwise", domains=(POSITIVE,),
                covers=("Digamma",), atol=1e-9, rtol=1e-9))
register(OpSpec("digamma_negative", autograd.digamma, _digamma_ref, "elementwise",
                domains=(NEGATIVE,), covers=("Digamma",), public=(), atol=1e-9, rtol=1e-9))
register(OpSpec("polygamma", lambda x, n: autograd.polygamma(n, x), _polygamma_ref,
                "elementwise", domains=(Domain(0.3, 5.0),), covers=("Polygamma",),
                kwargs=lambda s: _kw(n=st.sampled_from([1, 2, 3])), atol=1e-9, rtol=1e-9,
                grad_rtol=3e-3))
register(OpSpec("mvlgamma", lambda x, p: autograd.mvlgamma(x, p), _mvlgamma_ref, "elementwise",
                domains=(Domain(1.2, 5.0),), covers=("Lgamma",),
                kwargs=lambda s: _kw(p=st.sampled_from([1, 2, 3]))))

# ---------------------------------------------------------------------- ldexp, frexp, positive
register(OpSpec("ldexp", autograd.ldexp, lambda x, e: x * 2.0 ** e, "elementwise",
                domains=(Domain(), Domain(-2.0, 2.0)), covers=("Mul", "Pow")))


@st.composite
def _ldexp_int_setup(draw):
    shape = draw(any_shapes())
    e = np.array(draw(st.lists(st.integers(-3, 3), min_size=int(np.prod(shape)),
                               max_size=int(np.prod(shape))))).reshape(shape)
    return (shape,), {"e": e}


register(OpSpec("ldexp_int_exponent", lambda x, e: autograd.ldexp(x, _t(e)),
                lambda x, e: x * 2.0 ** e, "elementwise", setup=_ldexp_int_setup(),
                covers=("Mul",), public=()))
# every power of two in [-3, 3] down to 2**-5; the gap around 0 covers the smaller ones
_POW2 = (0.0,) + tuple(s * 2.0 ** k for s in (-1, 1) for k in range(-5, 2))
register(OpSpec("frexp", lambda x: autograd.frexp(x).mantissa, lambda x: np.frexp(x)[0],
                "elementwise", domains=(Domain(-3.0, 3.0, avoid=_POW2, gap=0.02),),
                covers=("Mul",), notes="the mantissa (the exponent is an int32 tensor); "
                                       "kept away from powers of two, where it jumps"))
register(OpSpec("positive", autograd.positive, lambda x: x, "elementwise",
                notes="returns its input itself"))


# ---------------------------------------------------------------------- writes along a dim
@st.composite
def _along_dim(draw, min_dims=1, unique=False, nonempty_index=False):
    """(input shape, dim, index (1-D), source shape with len(index) along dim)."""
    shape = draw(any_shapes(min_dims=min_dims))
    d = draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    if unique:
        k = draw(st.integers(1 if nonempty_index else 0, n))
        index = np.array(draw(st.permutations(range(n)))[:k], np.int64)
    else:
        index = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1 if nonempty_index
                                       else 0, max_size=4)), np.int64)
    src = shape[:d] + (index.size,) + shape[d + 1:]
    return shape, d, index, src


def _loop_along(x, d, index, fn):
    """fn(out, key, j) for each j, key addressing position index[j] along d."""
    out = x.copy()
    for j, i in enumerate(index):
        fn(out, (slice(None),) * d + (i,), j)
    return out


@st.composite
def _index_add_setup(draw):
    shape, d, index, src = draw(_along_dim())
    alpha = draw(st.sampled_from([1, 2.0, -0.5]))
    return (shape, src), {"dim": d, "index": index, "alpha": alpha}


def _index_add_ref(x, s, dim, index, alpha):
    src = np.moveaxis(s, dim, 0)

    def add(out, key, j):
        out[key] += alpha * src[j]
    return _loop_along(x, dim, index, add)


register(OpSpec("index_add", lambda x, s, dim, index, alpha: autograd.index_add(
                    x, dim, _t(index), s, alpha=alpha), _index_add_ref, "index",
                domains=(Domain(), Domain()), setup=_index_add_setup(),
                covers=("IndexAddIntoZeros", "Add")))


@st.composite
def _index_copy_setup(draw):
    shape, d, index, src = draw(_along_dim(unique=True))
    return (shape, src), {"dim": d, "index": index}


def _index_copy_ref(x, s, dim, index):
    src = np.moveaxis(s, dim, 0)

    def copy(out, key, j):
        out[key] = src[j]
    return _loop_along(x, dim, index, copy)


register(OpSpec("index_copy", lambda x, s, dim, index: autograd.index_copy(x, dim, _t(index), s),
                _index_copy_ref, "index", domains=(Domain(), Domain()),
                setup=_index_copy_setup(), covers=("IndexPut",),
                notes="unique indices (with repeats the winner is unspecified, as in PyTorch)"))


@st.composite
def _index_fill_setup(draw):
    shape, d, index, _ = draw(_along_dim())
    return (shape, ()), {"dim": d, "index": index}


def _index_fill_ref(x, v, dim, index):
    def fill(out, key, j):
        out[key] = v
    return _loop_along(x, dim, index, fill)


register(OpSpec("index_fill", lambda x, v, dim, index: autograd.index_fill(x, dim, _t(index), v),
                _index_fill_ref, "index", domains=(Domain(), Domain()),
                setup=_index_fill_setup(), covers=("IndexPut",),
                notes="the value is a 0-d tensor, so its gradient (the sum over the filled "
                      "slices) is checked too"))


@st.composite
def _index_reduce_setup(draw, reduce):
    shape, d, index, src = draw(_along_dim())
    include_self = draw(st.booleans())
    return (shape, src), {"dim": d, "index": index, "reduce": reduce,
                          "include_self": include_self}


def _index_reduce_ref(x, s, dim, index, reduce, include_self):
    n = x.shape[dim]
    groups = [[] for _ in range(n)]
    src = np.moveaxis(s, dim, 0)
    for j, i in enumerate(index):
        groups[i % n].append(src[j])
    out = x.copy()
    for i, g in enumerate(groups):
        if not g:
            continue
        key = (slice(None),) * dim + (i,)
        vals = ([x[key]] if include_self else []) + g
        out[key] = {"prod": np.prod, "mean": np.mean, "amax": np.max,
                    "amin": np.min}[reduce](np.stack(vals), axis=0)
    return out


for _reduce, _doms in (("prod", (NONZERO, NONZERO)), ("mean", (Domain(), Domain())),
                       ("amax", (LOW, Domain(-3.0, 3.0, window=(0.55, 0.95), distinct=0.5))),
                       ("amin", (LOW, Domain(-3.0, 3.0, window=(0.55, 0.95), distinct=0.5)))):
    register(OpSpec(f"index_reduce_{_reduce}", lambda x, s, dim, index, reduce, include_self:
                    autograd.index_reduce(x, dim, _t(index), s, reduce,
                                          include_self=include_self),
                    _index_reduce_ref, "index", domains=_doms,
                    setup=_index_reduce_setup(_reduce),
                    covers=("ScatterReduce",) if _reduce != "mean" else ("Div",),
                    public=("index_reduce",),
                    notes="amax/amin: the operands come from disjoint windows and the source "
                          "is spread apart, so nothing ties"))


@st.composite
def _scatter_reduce_setup(draw, reduce):
    shape = draw(any_shapes(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    ishape = tuple(draw(st.integers(0 if k == d else 1, 3 if k == d else n))
                   for k, n in enumerate(shape))
    size = int(np.prod(ishape))
    index = np.array(draw(st.lists(st.integers(0, shape[d] - 1), min_size=size,
                                   max_size=size)), np.int64).reshape(ishape)
    include_self = draw(st.booleans())
    return (shape, ishape), {"dim": d, "index": index, "reduce": reduce,
                             "include_self": include_self}


def _scatter_reduce_ref(x, s, dim, index, reduce, include_self):
    groups = {}
    for pos in np.ndindex(*index.shape):
        target = list(pos)
        target[dim] = index[pos]
        groups.setdefault(tuple(target), []).append(s[pos])
    out = x.copy()
    for target, g in groups.items():
        vals = ([x[target]] if include_self else []) + g
        out[target] = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max,
                       "amin": np.min}[reduce](vals)
    return out


for _reduce, _doms in (("sum", (Domain(), Domain())), ("prod", (NONZERO, NONZERO)),
                       ("mean", (Domain(), Domain())),
                       ("amax", (LOW, Domain(-3.0, 3.0, window=(0.55, 0.95), distinct=0.5))),
                       ("amin", (LOW, Domain(-3.0, 3.0, window=(0.55, 0.95), distinct=0.5)))):
    register(OpSpec(f"scatter_reduce_{_reduce}", lambda x, s, dim, index, reduce, include_self:
                    autograd.scatter_reduce(x, dim, _t(index), s, reduce,
                                            include_self=include_self),
                    _scatter_reduce_ref, "index", domains=_doms,
                    setup=_scatter_reduce_setup(_reduce),
                    covers=("ScatterReduce",) if _reduce in ("prod", "amax", "amin")
                    else ("IndexAddIntoZeros",), public=("scatter_reduce",)))


# ---------------------------------------------------------------------- advanced and flat writes
@st.composite
def _index_put_setup(draw, accumulate):
    shape = draw(any_shapes(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    m = draw(st.integers(0 if accumulate else 1, 4))
    if accumulate:
        idx = tuple(np.array(draw(st.lists(st.integers(-n, n - 1), min_size=m, max_size=m)),
                             np.int64) for n in shape[:k])
    else:  # distinct positions: with repeats the winner is unspecified
        flat = draw(st.permutations(range(int(np.prod(shape[:k])))))[:m]
        idx = tuple(np.array(a, np.int64) for a in np.unravel_index(flat, shape[:k]))
    vshape = (len(idx[0]),) + shape[k:]
    if draw(st.booleans()) and len(vshape) > 1:
        vshape = vshape[1:]  # broadcast over the indexed positions
    return (shape, vshape), {"indices": idx, "accumulate": accumulate}


def _index_put_ref(x, v, indices, accumulate):
    out = x.copy()
    v = np.broadcast_to(v, x[indices].shape)
    for j in range(len(indices[0])):
        pos = tuple(int(i[j]) for i in indices)
        if accumulate:
            out[pos] += v[j]
        else:
            out[pos] = v[j]
    return out


for _acc in (False, True):
    register(OpSpec(f"index_put_{'accumulate' if _acc else 'assign'}",
                    lambda x, v, indices, accumulate: autograd.index_put(
                        x, tuple(_t(i) for i in indices), v, accumulate=accumulate),
                    _index_put_ref, "index", domains=(Domain(), Domain()),
                    setup=_index_put_setup(_acc),
                    covers=("IndexAddIntoZeros",) if _acc else ("IndexPut",),
                    public=("index_put",)))


@st.composite
def _masked_scatter_setup(draw):
    shape = draw(any_shapes())
    mask = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape)
    extra = draw(st.integers(0, 2))
    return (shape, (int(mask.sum()) + extra,)), {"mask": mask}


def _masked_scatter_ref(x, s, mask):
    out = x.copy().reshape(-1)
    k = 0
    for i, m in enumerate(mask.reshape(-1)):
        if m:
            out[i] = s[k]
            k += 1
    return out.reshape(x.shape)


register(OpSpec("masked_scatter", lambda x, s, mask: autograd.masked_scatter(x, _t(mask), s),
                _masked_scatter_ref, "index", domains=(Domain(), Domain()),
                setup=_masked_scatter_setup(), covers=("IndexPut",)))


@st.composite
def _put_setup(draw, accumulate):
    shape = draw(any_shapes())
    n = int(np.prod(shape))
    if accumulate:
        idx = draw(st.lists(st.integers(-n, n - 1), max_size=4))
    else:
        idx = draw(st.permutations(range(n)))[:draw(st.integers(0, n))]
    return (shape, (len(idx),)), {"index": np.array(idx, np.int64), "accumulate": accumulate}


def _put_ref(x, s, index, accumulate):
    out = x.copy().reshape(-1)
    for j, i in enumerate(index):
        if accumulate:
            out[i] += s[j]
        else:
            out[i] = s[j]
    return out.reshape(x.shape)


for _acc in (False, True):
    register(OpSpec(f"put{'_accumulate' if _acc else ''}",
                    lambda x, s, index, accumulate: autograd.put(x, _t(index), s, accumulate),
                    _put_ref, "index", domains=(Domain(), Domain()), setup=_put_setup(_acc),
                    covers=("IndexAddIntoZeros",) if _acc else ("IndexPut",), public=("put",)))


# ---------------------------------------------------------------------- *_scatter
@st.composite
def _select_scatter_setup(draw):
    shape = draw(any_shapes(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    i = draw(st.integers(-shape[d], shape[d] - 1))
    return (shape, shape[:d] + shape[d + 1:]), {"dim": d, "index": i}


def _select_scatter_ref(x, s, dim, index):
    out = x.copy()
    np.moveaxis(out, dim, 0)[index] = s
    return out


register(OpSpec("select_scatter", lambda x, s, dim, index: autograd.select_scatter(
                    x, s, dim, index), _select_scatter_ref, "index",
                domains=(Domain(), Domain()), setup=_select_scatter_setup(),
                covers=("IndexPut",)))


@st.composite
def _slice_scatter_setup(draw):
    shape = draw(any_shapes(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    start = draw(st.one_of(st.none(), st.integers(0, shape[d])))
    end = draw(st.one_of(st.none(), st.integers(0, shape[d])))
    step = draw(st.integers(1, 2))
    n = len(range(shape[d]))
    length = len(range(*slice(start, end, step).indices(n)))
    return (shape, shape[:d] + (length,) + shape[d + 1:]), {"dim": d, "start": start,
                                                             "end": end, "step": step}


def _slice_scatter_ref(x, s, dim, start, end, step):
    out = x.copy()
    view = np.moveaxis(out, dim, 0)
    view[start:end:step] = np.moveaxis(s, dim, 0)
    return out


register(OpSpec("slice_scatter", lambda x, s, dim, start, end, step: autograd.slice_scatter(
                    x, s, dim, start, end, step), _slice_scatter_ref, "index",
                domains=(Domain(), Domain()), setup=_slice_scatter_setup(),
                covers=("IndexPut",)))


@st.composite
def _diagonal_scatter_setup(draw):
    shape = draw(any_shapes(min_dims=2))
    d1, d2 = draw(st.permutations(range(len(shape))))[:2]
    offset = draw(st.integers(-2, 2))
    diag_shape = np.zeros(shape).diagonal(offset, d1, d2).shape
    return (shape, diag_shape), {"offset": offset, "dim1": d1, "dim2": d2}


def _diagonal_scatter_ref(x, s, offset, dim1, dim2):
    out = x.copy()
    rows, cols = x.shape[dim1], x.shape[dim2]
    moved = np.moveaxis(out, (dim1, dim2), (-2, -1))
    k = 0
    for r in range(rows):
        c = r + offset
        if 0 <= c < cols:
            moved[..., r, c] = s[..., k]
            k += 1
    return out


register(OpSpec("diagonal_scatter", lambda x, s, offset, dim1, dim2: autograd.diagonal_scatter(
                    x, s, offset, dim1, dim2), _diagonal_scatter_ref, "index",
                domains=(Domain(), Domain()), setup=_diagonal_scatter_setup(),
                covers=("IndexPut",)))


# ---------------------------------------------------------------------- views and splits
def _select_kwargs(shapes):
    shape = shapes[0]
    return dims(len(shape)).flatmap(lambda d: _kw(
        dim=st.just(d), index=st.integers(-shape[d], shape[d] - 1)))


register(OpSpec("select", lambda x, dim, index: autograd.select(x, dim, index),
                lambda x, dim, index: np.take(x, index, axis=dim), "shape",
                shapes=one_shape(min_dims=1, empty=False), kwargs=_select_kwargs,
                covers=("GetItem",)))


def _unfold_kwargs(shapes):
    shape = shapes[0]
    if not shape:
        return _kw(dimension=st.just(0), size=st.integers(0, 1), step=st.integers(1, 2))
    return dims(len(shape)).flatmap(lambda d: _kw(
        dimension=st.just(d), size=st.integers(0, shape[d % len(shape)]),
        step=st.integers(1, 3)))


def _unfold_ref(x, dimension, size, step):
    if x.ndim == 0:
        return np.full((size,), x)
    d = dimension % x.ndim
    n = x.shape[d]
    windows = [np.take(x, range(i, i + size), axis=d) for i in range(0, n - size + 1, step)]
    stacked = np.stack(windows, axis=d) if windows else np.zeros(
        x.shape[:d] + (0,) + x.shape[d + 1:] + (size,))
    return np.moveaxis(stacked, d + 1, -1) if windows else stacked


register(OpSpec("unfold", lambda x, dimension, size, step: x.unfold(dimension, size, step),
                _unfold_ref, "shape", kwargs=_unfold_kwargs, covers=("StridedView",),
                public=(), notes="Tensor.unfold (torch.unfold does not exist); overlapping "
                                 "windows (step < size) accumulate gradients"))


@st.composite
def _as_strided_setup(draw):
    n = draw(st.integers(1, 8))
    size = tuple(draw(st.lists(st.integers(1, 3), max_size=3)))
    stride = tuple(draw(st.integers(0, 3)) for _ in size)
    need = sum((a - 1) * b for a, b in zip(size, stride))
    offset = draw(st.integers(0, max(0, n - 1 - need))) if need < n else 0
    return ((max(n, need + offset + 1),),), {"size": size, "stride": stride, "offset": offset}


def _as_strided_ref(x, size, stride, offset):
    out = np.empty(size)
    for pos in np.ndindex(*size):
        out[pos] = x[offset + sum(p * s for p, s in zip(pos, stride))]
    return out


register(OpSpec("as_strided", lambda x, size, stride, offset: autograd.as_strided(
                    x, size, stride, offset), _as_strided_ref, "shape",
                setup=_as_strided_setup(), covers=("StridedView",),
                notes="strides of 0 and overlapping windows read elements more than once"))
register(OpSpec("ravel", autograd.ravel, np.ravel, "shape", covers=("Reshape",)))
register(OpSpec("narrow_copy", lambda x, dim, start, length: autograd.narrow_copy(
                    x, dim, start, length),
                lambda x, dim, start, length: np.take(x, range(start, start + length), dim),
                "shape", shapes=one_shape(min_dims=1),
                kwargs=lambda s: dims(len(s[0])).flatmap(lambda d: st.integers(
                    0, s[0][d]).flatmap(lambda a: _kw(dim=st.just(d), start=st.just(a),
                                                      length=st.integers(0, s[0][d] - a)))),
                covers=("Clone",)))


def _split_sizes_kwargs(shapes):
    shape = shapes[0]

    def sizes(d):
        n = shape[d]
        return st.lists(st.integers(0, n), max_size=2).map(
            lambda cuts: [b - a for a, b in zip([0] + sorted(cuts), sorted(cuts) + [n])])
    return dims(len(shape)).flatmap(lambda d: _kw(dim=st.just(d), split_sizes=sizes(d)))


def _split_ref(x, dim, split_sizes):
    bounds = np.cumsum(split_sizes)[:-1]
    return tuple(np.split(x, bounds, axis=dim))


register(OpSpec("split_with_sizes", lambda x, dim, split_sizes: autograd.split_with_sizes(
                    x, split_sizes, dim), _split_ref, "shape", shapes=one_shape(min_dims=1),
                kwargs=_split_sizes_kwargs, covers=("GetItem",)))
for _name, _axis, _min in (("vsplit", 0, 2), ("hsplit", 1, 2), ("dsplit", 2, 3)):
    register(OpSpec(_name, (lambda f: lambda x, cuts: f(x, cuts))(getattr(autograd, _name)),
                    (lambda a: lambda x, cuts: tuple(np.split(x, cuts, axis=a)))(_axis),
                    "shape", shapes=one_shape(min_dims=_min),
                    kwargs=lambda s: _kw(cuts=st.lists(st.integers(0, 3), max_size=2).map(
                        sorted)), covers=("GetItem",)))


def _sum_to_size_kwargs(shapes):
    shape = shapes[0]
    return st.integers(0, len(shape)).flatmap(lambda k: st.lists(
        st.booleans(), min_size=len(shape) - k, max_size=len(shape) - k).map(
        lambda keep: tuple(n if f else 1 for n, f in zip(shape[k:], keep)))).map(
        lambda size: {"size": size})


def _sum_to_size_ref(x, size):
    lead = x.ndim - len(size)
    out = x.sum(axis=tuple(range(lead))) if lead else x
    axes = tuple(i for i, s in enumerate(size) if s == 1 and out.shape[i] != 1)
    return out.sum(axis=axes, keepdims=True) if axes else out


register(OpSpec("sum_to_size", lambda x, size: x.sum_to_size(size), _sum_to_size_ref, "shape",
                kwargs=_sum_to_size_kwargs, covers=(), public=(),
                notes="a Tensor method only (as in PyTorch)"))
register(OpSpec("diagflat", lambda x, offset: autograd.diagflat(x, offset),
                lambda x, offset: np.diagflat(x, offset), "shape",
                kwargs=lambda s: _kw(offset=st.integers(-2, 2)), covers=("Reshape",)))
register(OpSpec("msort", autograd.msort, lambda x: np.sort(x, axis=0), "shape",
                domains=(Domain(distinct=0.2),), shapes=one_shape(min_dims=1),
                notes="distinct values: sorting ties would make the gradient ambiguous"))


# ---------------------------------------------------------------------- matrix helpers
_SCALARS = st.sampled_from([1, 0.5, -2.0])


@st.composite
def _addr_shapes(draw):
    n, m = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    inp = draw(st.sampled_from([(n, m), (m,), (1, m), (n, 1), ()]))
    return inp, (n,), (m,)


register(OpSpec("addr", lambda x, a, b, beta, alpha: autograd.addr(x, a, b, beta=beta,
                                                                   alpha=alpha),
                lambda x, a, b, beta, alpha: beta * x + alpha * a[:, None] * b[None, :],
                "linalg", domains=(Domain(),) * 3, shapes=_addr_shapes(),
                kwargs=lambda s: _kw(beta=_SCALARS, alpha=_SCALARS)))
register(OpSpec("vdot", autograd.vdot, lambda a, b: np.array(np.sum(a * b)), "linalg",
                domains=(Domain(), Domain()),
                shapes=st.integers(0, 4).map(lambda n: ((n,), (n,)))))


def _matrix_power_ref(a, n):
    a = a + 3.0 * np.eye(a.shape[-1])
    out = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    base = np.linalg.inv(a) if n < 0 else a
    for _ in range(abs(n)):
        out = out @ base
    return out


register(OpSpec("matrix_power", lambda a, n: autograd.matrix_power(
                    a + 3.0 * autograd.eye(a.shape[-1], dtype=a.dtype), n), _matrix_power_ref,
                "linalg", domains=(Domain(-0.5, 0.5),),
                shapes=st.tuples(st.integers(0, 2), st.integers(1, 3)).map(
                    lambda bn: ((2,) * bn[0] + (bn[1], bn[1]),)),
                kwargs=lambda s: _kw(n=st.integers(-2, 4)), rtol32=1e-3, atol32=1e-4,
                covers=("MatMul",), notes="3 I is added so that the inverse is well "
                                         "conditioned"))


def _cov_ref(x, correction, fw, aw):
    x = np.atleast_2d(x)
    n = x.shape[1]
    w = np.ones(n)
    if fw is not None:
        w = w * fw
    if aw is not None:
        w = w * aw
    avg = (x * w).sum(1, keepdims=True) / w.sum()
    norm = w.sum() - (correction if aw is None else correction * (w * aw).sum() / w.sum())
    xm = x - avg
    out = np.array([[np.sum(w * xm[i] * xm[j]) for j in range(len(x))]
                    for i in range(len(x))]) / norm
    return out if out.shape != (1, 1) else out.reshape(())


@st.composite
def _cov_setup(draw):
    v, n = draw(st.integers(1, 3)), draw(st.integers(3, 4))
    shape = draw(st.sampled_from([(v, n), (n,)]))
    fw = draw(st.one_of(st.none(), st.lists(st.integers(1, 3), min_size=n, max_size=n).map(
        np.array)))
    aw = draw(st.one_of(st.none(), st.lists(st.floats(0.5, 2.0), min_size=n, max_size=n).map(
        np.array)))
    return (shape,), {"correction": draw(st.sampled_from([0, 1])), "fw": fw, "aw": aw}


register(OpSpec("cov", lambda x, correction, fw, aw: autograd.cov(
                    x, correction=correction, fweights=None if fw is None else _t(fw),
                    aweights=None if aw is None else _t(aw)), _cov_ref, "linalg",
                setup=_cov_setup(), covers=("MatMul",)))
register(OpSpec("corrcoef", autograd.corrcoef,
                lambda x: np.array(np.corrcoef(x)), "linalg",
                domains=(Domain(distinct=0.3),),
                shapes=st.tuples(st.integers(2, 3), st.integers(3, 4)).map(lambda s: (s,)),
                covers=("MatMul",),
                notes="off-diagonal entries only move (the diagonal is clamped at 1)"))


def _renorm_ref(x, p, dim, maxnorm):
    out = x.copy()
    moved = np.moveaxis(out, dim, 0)
    for i in range(moved.shape[0]):
        nrm = np.sum(np.abs(moved[i]) ** p) ** (1.0 / p)
        if nrm > maxnorm:
            moved[i] *= maxnorm / (nrm + 1e-7)
    return out


@st.composite
def _renorm_setup(draw):
    shape = draw(any_shapes(min_dims=1, max_dims=2))
    d = draw(st.integers(0, len(shape) - 1))
    return (shape,), {"p": draw(st.sampled_from([1, 2, 3.0])), "dim": d,
                      # not round numbers: a drawn element could equal those (the kink)
                      "maxnorm": draw(st.sampled_from([0.5 ** 0.5, 1.3 + 1 / 97]))}


register(OpSpec("renorm", lambda x, p, dim, maxnorm: autograd.renorm(x, p, dim, maxnorm),
                _renorm_ref, "norm", domains=(NONZERO,), setup=_renorm_setup(),
                covers=("Mul",), notes="maxnorm values no drawn norm hits (the kink)"))


@st.composite
def _prelu_shapes(draw):
    shape = draw(any_shapes())
    if len(shape) >= 2 and draw(st.booleans()):
        return shape, (shape[1],)
    return shape, (1,)


def _prelu_ref(x, w):
    if w.size > 1:
        w = w.reshape((-1,) + (1,) * (x.ndim - 2))
    else:
        w = w.reshape(())
    return np.where(x > 0, x, w * x)


register(OpSpec("prelu", autograd.prelu, _prelu_ref, "nn", domains=(NONZERO, Domain()),
                shapes=_prelu_shapes(), covers=("Where",)))
register(OpSpec("hardshrink", lambda x, lambd: autograd.hardshrink(x, lambd),
                lambda x, lambd: np.where(np.abs(x) > lambd, x, 0.0), "nn",
                domains=(Domain(-3.0, 3.0, avoid=(-0.5, 0.5, -1.0, 1.0), gap=0.1),),
                kwargs=lambda s: _kw(lambd=st.sampled_from([0.5, 1.0])), covers=("Where",)))
